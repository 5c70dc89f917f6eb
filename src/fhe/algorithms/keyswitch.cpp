#include "veil/fhe/keyswitch.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe {

void keyswitch(const KeyswitchKey& key, LweConstView in, LweView out) {
  const std::size_t n_in = key.input_lwe_dimension().value;
  const std::size_t n_out = key.output_lwe_dimension().value;
  if (in.size() != n_in + 1 || out.size() != n_out + 1) {
    throw InvalidArgument("keyswitch: input of " + std::to_string(in.size()) + " values and output of " +
                          std::to_string(out.size()) + ", expected " + std::to_string(n_in + 1) + " and " +
                          std::to_string(n_out + 1) + " (key " + std::to_string(n_in) + " -> " +
                          std::to_string(n_out) + ")");
  }
  const SignedDecomposer decomposer(key.base_log(), key.level_count());
  const std::size_t levels = key.level_count().value;
  std::array<std::int64_t, 64> digits{};
  std::fill(out.begin(), out.end(), Torus{0});
  out[n_out] = in[n_in];
  Torus* __restrict acc = out.data();
  for (std::size_t i = 0; i < n_in; ++i) {
    decomposer.decompose(in[i], digits.data());
    for (std::size_t j = 0; j < levels; ++j) {
      if (digits[j] == 0) continue;
      const auto d = static_cast<Torus>(digits[j]);
      const Torus* __restrict row = key.row(i, j).data();
      for (std::size_t c = 0; c <= n_out; ++c) acc[c] -= d * row[c];
    }
  }
}

}  // namespace veil::fhe
