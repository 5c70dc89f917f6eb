// Nested GLWE keys (docs/parameters.md): the rule that lets partitions of different k*N share one
// secret, the optimizer's raised-σ sets it needs, and a PBS on a narrower partition whose output,
// padded with zeros, decrypts under the widest key.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/nested_key_ciphertexts.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

constexpr const char* kNarrow = "opt128_p6_nrm300_pe0.05_k1N2048_concrete_v0";
constexpr const char* kWideFloor = "opt128_p7_nrm300_pe0.05_k1N4096_concrete_v0";
constexpr const char* kWideRaised = "opt128_p7_nrm300_pe0.05_k1N4096_gn2048_concrete_v0";

void require_pair(const char* a, const char* b) {
  const std::array<const ParameterSet*, 2> sets{&parameter_set_by_name(a), &parameter_set_by_name(b)};
  require_nested_glwe_keys(sets);
}

TEST(NestedKeys, WiderKeyNeedsTheCurveOfWhatItDoesNotShare) {
  // At the floor (2^-62) the 4096-key does not cover its 2048 unshared coefficients; at gn2048 it does.
  EXPECT_THROW(require_pair(kNarrow, kWideFloor), SecurityError);
  EXPECT_NO_THROW(require_pair(kNarrow, kWideRaised));
  EXPECT_NO_THROW(require_pair(kWideRaised, kNarrow));  // order does not matter
  const ParameterSet& raised = parameter_set_by_name(kWideRaised);
  EXPECT_EQ(raised.glwe_noise.std_dev, minimum_secure_std_dev(2048));
  EXPECT_NO_THROW(require_secure(raised));
  // One k*N is one key: one sigma.
  EXPECT_THROW(require_pair(kWideFloor, kWideRaised), InvalidArgument);
  // A single dimension needs no rule (today's multi-parameter programs).
  EXPECT_NO_THROW(require_pair(kWideFloor, "opt128_p7_nrm3_pe0.05_k1N4096_concrete_v0"));
}

TEST(NestedKeys, RaisedSigmaCostsNothingAtSevenBits) {
  // At 7 bits the modulus switch and the decomposition rounding dominate: same decompositions.
  for (const double norm2 : {3.0, 300.0, 5949.0, 12612.0}) {
    PbsRequirement r{7, norm2, 0.05, 128, 1, 12, 0};
    const OptimizedParameterSet at_floor = optimize_parameter_set(r, CostModel::concrete_v0);
    r.glwe_noise_dimension = 2048;
    const OptimizedParameterSet raised = optimize_parameter_set(r, CostModel::concrete_v0);
    EXPECT_EQ(raised.derivation.cost, at_floor.derivation.cost) << norm2;
    EXPECT_GT(raised.set.glwe_noise.std_dev, at_floor.set.glwe_noise.std_dev);
    EXPECT_EQ(&parameter_set_by_name(raised.set.name), &parameter_set_by_name(raised.set.name));
  }
  PbsRequirement bad{7, 300, 0.05, 128, 1, 12, 4096};  // not below k*N
  EXPECT_THROW(optimize_parameter_set(bad, CostModel::concrete_v0), InvalidArgument);
  bad.glwe_noise_dimension = 2048;
  bad.glwe_dimension = bad.log2_polynomial_size = 0;  // needs a fixed shape
  EXPECT_THROW(optimize_parameter_set(bad, CostModel::concrete_v0), InvalidArgument);
}

TEST(NestedKeys, NarrowPartitionOutputDecryptsUnderTheWideKey) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(11);
  ThreadPool pool(1);
  const ClientKey wide = make_client_key(insecure_toy_parameter_set(4), rng, AllowInsecure::for_tests);  // N 1024
  const ParameterSet& narrow_set = insecure_toy_parameter_set(3);                                        // N 512
  const ClientKey narrow = make_partition_client_key(wide, narrow_set, rng, AllowInsecure::for_tests);
  EXPECT_TRUE(std::ranges::equal(narrow.glwe_key().flattened_bits(), wide.glwe_key().flattened_bits().first(512)));
  EXPECT_THROW(make_partition_client_key(narrow, insecure_toy_parameter_set(4), rng, AllowInsecure::for_tests),
               InvalidArgument);  // a wider key cannot be a prefix of a narrower one
  EXPECT_THROW(make_partition_client_key(wide, narrow_set, rng), SecurityError);  // toys need permission

  const ServerKey server = make_server_key(narrow, rng, pool, AllowInsecure::for_tests);
  const int p = narrow_set.precision_bits;
  const LookupTable table = make_lookup_table(narrow_set.polynomial_size, p, [&](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>((x * 3 + 1) % (1u << p)), p, Signedness::unsigned_code);
  });
  std::vector<std::byte> scratch(pbs_scratch_size(narrow_set));
  for (std::int64_t m = 0; m < (1 << p); ++m) {
    // The input is under the wide key but its mask beyond 512 is zero: the value of a narrower partition.
    LweCiphertextArray stored(1, LweDimension(1024));
    LweCiphertextArray own(1, LweDimension(512));
    encrypt_lwe(narrow, LweKeyKind::big, encode_message(m, p, Signedness::unsigned_code), rng, own[0]);
    extend_to_wider_key(own, stored);
    const LweCiphertextArray read = restrict_to_prefix_key(stored, LweDimension(512));
    LweCiphertextArray out(1, LweDimension(512));
    programmable_bootstrap(server, read[0], table, out[0], scratch);
    LweCiphertextArray wide_out(1, LweDimension(1024));
    extend_to_wider_key(out, wide_out);
    EXPECT_EQ(decrypt_message(wide, wide_out[0], p, Signedness::unsigned_code), (m * 3 + 1) % (1 << p)) << m;
  }
  // A ciphertext under the whole wide key is not under its prefix: refused, not silently wrong.
  LweCiphertextArray full(1, LweDimension(1024));
  encrypt_lwe(wide, LweKeyKind::big, 0, rng, full[0]);
  EXPECT_THROW(restrict_to_prefix_key(full, LweDimension(512)), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
