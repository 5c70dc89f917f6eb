// Partition keys of multi-parameter programs: a fresh small key of the partition's n under the
// shared GLWE key; a wider GLWE key is refused, toy sets need permission. The toy
// partitions sharing insecure_toy_p6's k*N meet its 2^-40 bound too.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "veil/common/error.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

TEST(PartitionKey, SharesTheGlweKeyWithAFreshSmallKey) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(3);
  const ClientKey shared = make_client_key(insecure_toy_parameter_set(6), rng, AllowInsecure::for_tests);
  const ParameterSet& other = parameter_set_by_name("insecure_toy_p6_n224");
  const ClientKey partition = make_partition_client_key(shared, other, rng, AllowInsecure::for_tests);
  EXPECT_EQ(partition.parameters().name, other.name);
  EXPECT_TRUE(std::ranges::equal(partition.glwe_key().flattened_bits(), shared.glwe_key().flattened_bits()));
  ASSERT_EQ(partition.small_key().dimension().value, 224u);
  EXPECT_FALSE(std::ranges::equal(partition.small_key().bits(), shared.small_key().bits().first(224)));
  EXPECT_THROW(make_partition_client_key(shared, insecure_toy_parameter_set(7), rng, AllowInsecure::for_tests),
               InvalidArgument);  // N 8192: wider than the shared key (nested keys: tests/fhe/nested_keys_test.cpp)
  EXPECT_THROW(make_partition_client_key(shared, other, rng), SecurityError);
}

TEST(PartitionKey, ToyPartitionsShareTheShapeAndMeetTheBound) {
  const ParameterSet& base = insecure_toy_parameter_set(6);
  for (const char* name : {"insecure_toy_p6_n224", "insecure_toy_p6_n192"}) {
    const ParameterSet& set = parameter_set_by_name(name);
    EXPECT_TRUE(set.insecure_for_tests);
    EXPECT_EQ(set.glwe_dimension.value, base.glwe_dimension.value);
    EXPECT_EQ(set.polynomial_size.value, base.polynomial_size.value);
    EXPECT_EQ(set.glwe_noise.std_dev, base.glwe_noise.std_dev);
    EXPECT_LT(set.lwe_dimension.value, base.lwe_dimension.value);
    EXPECT_LE(set.target_p_error, std::ldexp(1.0, -40)) << name;
  }
}

}  // namespace
}  // namespace veil::fhe
