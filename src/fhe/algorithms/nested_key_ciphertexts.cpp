#include "veil/fhe/nested_key_ciphertexts.hpp"

#include <algorithm>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

LweCiphertextArray restrict_to_prefix_key(const LweCiphertextArray& inputs, LweDimension dimension) {
  const std::size_t d = dimension.value, wide = inputs.dimension().value;
  if (d > wide) {
    throw InvalidArgument("restrict_to_prefix_key: prefix of dimension " + std::to_string(d) +
                          " is wider than the ciphertexts' " + std::to_string(wide));
  }
  LweCiphertextArray out(inputs.size(), dimension);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const LweConstView in = inputs[i];
    // Dropping a nonzero coefficient would change the phase: the value is not under the prefix key.
    if (std::any_of(in.begin() + static_cast<std::ptrdiff_t>(d), in.end() - 1, [](Torus a) { return a != 0; })) {
      throw InvalidArgument("restrict_to_prefix_key: ciphertext " + std::to_string(i) +
                            " has a nonzero mask coefficient beyond the prefix key's " + std::to_string(d) +
                            " (it is not under that key)");
    }
    const LweView o = out[i];
    std::copy_n(in.begin(), d, o.begin());
    o.back() = in.back();
  }
  return out;
}

void extend_to_wider_key(const LweCiphertextArray& inputs, LweCiphertextArray& outputs) {
  const std::size_t d = inputs.dimension().value;
  if (inputs.size() != outputs.size() || outputs.dimension().value < d) {
    throw InvalidArgument("extend_to_wider_key: " + std::to_string(inputs.size()) + " ciphertexts of dimension " +
                          std::to_string(d) + " into " + std::to_string(outputs.size()) + " of dimension " +
                          std::to_string(outputs.dimension().value));
  }
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const LweConstView in = inputs[i];
    const LweView o = outputs[i];
    std::copy_n(in.begin(), d, o.begin());
    std::fill(o.begin() + static_cast<std::ptrdiff_t>(d), o.end() - 1, Torus{0});
    o.back() = in.back();
  }
}

}  // namespace veil::fhe
