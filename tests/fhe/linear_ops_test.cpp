// Leveled linear operations decrypt to the clear results.
#include <gtest/gtest.h>

#include <vector>

#include "engine_test_keys.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/linear_ops.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::fhe {
namespace {

using testing::describe;
using testing::engine_keys;

constexpr int kBits = 6;
constexpr auto kSigned = Signedness::twos_complement;

std::int64_t wrap(std::int64_t v) {  // into the signed 6-bit range
  const std::int64_t span = std::int64_t{1} << kBits;
  v = ((v % span) + span) % span;
  return v >= span / 2 ? v - span : v;
}

TEST(LinearOps, AddSubNegateScaleAndDotProductDecrypt) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(21);
  for (std::int64_t a = -32; a < 32; a += 3) {
    for (std::int64_t b = -32; b < 32; b += 5) {
      for (LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
        const auto ca = make_lwe_encryption(keys.client, kind, encode_message(a, kBits, kSigned), rng);
        const auto cb = make_lwe_encryption(keys.client, kind, encode_message(b, kBits, kSigned), rng);
        LweCiphertext out(ca.dimension());
        auto check = [&](std::int64_t expected, const char* op) {
          ASSERT_EQ(decrypt_message(keys.client, out.view(), kBits, kSigned), wrap(expected))
              << op << " a=" << a << " b=" << b << " " << describe(params);
        };
        lwe_add(ca.view(), cb.view(), out.view());
        check(a + b, "add");
        lwe_sub(ca.view(), cb.view(), out.view());
        check(a - b, "sub");
        lwe_negate(ca.view(), out.view());
        check(-a, "negate");
        lwe_mul_scalar(ca.view(), -3, out.view());
        check(-3 * a, "mul_scalar");
        lwe_add_inplace(out.view(), cb.view());
        check(-3 * a + b, "add_inplace");
        lwe_add_scaled_inplace(out.view(), cb.view(), 2);
        check(-3 * a + 3 * b, "add_scaled_inplace");
        lwe_add_plaintext_inplace(out.view(), encode_message(1, kBits, kSigned));
        check(-3 * a + 3 * b + 1, "add_plaintext_inplace");
        lwe_negate_inplace(out.view());
        check(3 * a - 3 * b - 1, "negate_inplace");
        lwe_sub_inplace(out.view(), ca.view());
        check(2 * a - 3 * b - 1, "sub_inplace");
        lwe_mul_scalar_inplace(out.view(), 5);
        check(10 * a - 15 * b - 5, "mul_scalar_inplace");
      }
    }
  }
}

TEST(LinearOps, DotProductOfManyCiphertexts) {
  const ParameterSet& params = insecure_toy_parameter_set(kBits);
  const auto& keys = engine_keys(params);
  Csprng rng = Csprng::from_seed_insecure_for_tests(22);
  constexpr std::size_t kInputs = 9;  // a 3x3 convolution window
  const std::vector<std::int64_t> weights = {1, -2, 3, 0, 4, -1, 2, 1, -3};
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<LweCiphertext> cts;
    std::vector<const Torus*> views;
    std::int64_t expected = 0;
    for (std::size_t i = 0; i < kInputs; ++i) {
      const std::int64_t m = static_cast<std::int64_t>(rng.uniform() % 9) - 4;
      expected += m * weights[i];
      cts.push_back(make_lwe_encryption(keys.client, LweKeyKind::big, encode_message(m, kBits, kSigned), rng));
    }
    for (const auto& c : cts) views.push_back(c.view().data());
    LweCiphertext out(cts[0].dimension());
    lwe_dot_product(views, weights, out.view());
    ASSERT_EQ(decrypt_message(keys.client, out.view(), kBits, kSigned), wrap(expected)) << "trial " << trial;
  }
  LweCiphertext out(LweDimension(8));
  EXPECT_THROW(lwe_dot_product(std::vector<const Torus*>(2), weights, out.view()), InvalidArgument);
}

TEST(LinearOps, RejectsMismatchedSizes) {
  LweCiphertext a(LweDimension(4)), b(LweDimension(5));
  EXPECT_THROW(lwe_add_inplace(a.view(), b.view()), InvalidArgument);
  EXPECT_THROW(lwe_add(a.view(), a.view(), b.view()), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
