#include "veil/fhe/linear_ops.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
void check_same(std::size_t a, std::size_t b, const char* who) {
  if (a != b) {
    throw InvalidArgument(std::string(who) + ": ciphertexts of " + std::to_string(a) + " and " + std::to_string(b) +
                          " values, expected equal sizes (same LWE dimension)");
  }
}
}  // namespace

void lwe_add(LweConstView a, LweConstView b, LweView out) {
  check_same(a.size(), b.size(), "lwe_add");
  check_same(a.size(), out.size(), "lwe_add");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] + b[i];
}

void lwe_add_inplace(LweView acc, LweConstView b) {
  check_same(acc.size(), b.size(), "lwe_add_inplace");
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] += b[i];
}

void lwe_sub(LweConstView a, LweConstView b, LweView out) {
  check_same(a.size(), b.size(), "lwe_sub");
  check_same(a.size(), out.size(), "lwe_sub");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] - b[i];
}

void lwe_sub_inplace(LweView acc, LweConstView b) {
  check_same(acc.size(), b.size(), "lwe_sub_inplace");
  for (std::size_t i = 0; i < acc.size(); ++i) acc[i] -= b[i];
}

void lwe_negate(LweConstView a, LweView out) {
  check_same(a.size(), out.size(), "lwe_negate");
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = Torus{0} - a[i];
}

void lwe_negate_inplace(LweView acc) {
  for (auto& x : acc) x = Torus{0} - x;
}

void lwe_mul_scalar(LweConstView a, std::int64_t w, LweView out) {
  check_same(a.size(), out.size(), "lwe_mul_scalar");
  const auto factor = static_cast<Torus>(w);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] * factor;
}

void lwe_mul_scalar_inplace(LweView acc, std::int64_t w) {
  const auto factor = static_cast<Torus>(w);
  for (auto& x : acc) x *= factor;
}

void lwe_add_scaled_inplace(LweView acc, LweConstView a, std::int64_t w) {
  check_same(acc.size(), a.size(), "lwe_add_scaled_inplace");
  const auto factor = static_cast<Torus>(w);
  Torus* __restrict out = acc.data();
  const Torus* __restrict in = a.data();
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] += in[i] * factor;
}

void lwe_add_plaintext_inplace(LweView acc, Torus plaintext) {
  if (acc.empty()) throw InvalidArgument("lwe_add_plaintext_inplace: empty ciphertext, expected n+1 >= 1 values");
  acc.back() += plaintext;
}

void lwe_dot_product(std::span<const Torus* const> inputs, std::span<const std::int64_t> weights, LweView out) {
  if (inputs.size() != weights.size()) {
    throw InvalidArgument("lwe_dot_product: " + std::to_string(inputs.size()) + " inputs and " +
                          std::to_string(weights.size()) + " weights, expected as many weights as inputs");
  }
  std::fill(out.begin(), out.end(), Torus{0});
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    lwe_add_scaled_inplace(out, LweConstView(inputs[k], out.size()), weights[k]);
  }
}

}  // namespace veil::fhe
