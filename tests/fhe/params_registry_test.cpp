// The registry: naming, the shift rule (docs/parameters.md section 2), lookups, costs and the
// compiler's cheapest-set choice.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "fhe/params/v0_table.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

struct Example {
  int precision;
  ErrorTarget target;
  std::size_t k, N, n, pbs_base_log, pbs_level, ks_base_log, ks_level;
};

TEST(ParamsRegistry, ExamplesOfTheShiftRule) {
  // docs/parameters.md section 2, L = 0 (base log, level).
  const Example examples[] = {
      {6, ErrorTarget::loose, 1, 2048, 783, 23, 1, 3, 5},   {7, ErrorTarget::loose, 1, 4096, 880, 22, 1, 4, 4},
      {8, ErrorTarget::loose, 1, 8192, 915, 22, 1, 3, 6},   {7, ErrorTarget::tight, 1, 16384, 1006, 15, 2, 4, 5},
      {8, ErrorTarget::tight, 1, 32768, 1039, 15, 2, 3, 7},
  };
  for (const Example& e : examples) {
    const ParameterSet& set = vetted_parameter_set(e.precision, e.target, 0);
    SCOPED_TRACE(set.name);
    EXPECT_EQ(set.precision_bits, e.precision);
    EXPECT_EQ(set.glwe_dimension.value, e.k);
    EXPECT_EQ(set.polynomial_size.value, e.N);
    EXPECT_EQ(set.lwe_dimension.value, e.n);
    EXPECT_EQ(set.pbs_base_log.value, e.pbs_base_log);
    EXPECT_EQ(set.pbs_level.value, e.pbs_level);
    EXPECT_EQ(set.ks_base_log.value, e.ks_base_log);
    EXPECT_EQ(set.ks_level.value, e.ks_level);
  }
  EXPECT_EQ(vetted_parameter_set(6, ErrorTarget::loose, 0).name, "v0_128_p6_L0_pe0.05");
  EXPECT_EQ(vetted_parameter_set(6, ErrorTarget::tight, 3).name, "v0_128_p6_L3_pe2m40");
}

int source_row_precision(int p, ErrorTarget target) {
  if (target == ErrorTarget::tight) return p + 1;
  return p == 1 ? 1 : p - 1;
}

TEST(ParamsRegistry, EveryShiftedSetMeetsItsTarget) {
  std::size_t expected_v0_sets = 0;
  for (int p = 1; p <= 8; ++p) {
    for (ErrorTarget target : {ErrorTarget::loose, ErrorTarget::tight}) {
      for (int L = 0; L <= 31; ++L) {
        const auto row = params::find_v0_last_128_row(source_row_precision(p, target), L);
        if (!row) {
          EXPECT_THROW(vetted_parameter_set(p, target, L), InvalidArgument);
          continue;
        }
        ++expected_v0_sets;
        const ParameterSet& set = vetted_parameter_set(p, target, L);
        SCOPED_TRACE(set.name);
        EXPECT_EQ(set.lwe_dimension.value, static_cast<std::size_t>(row->n));
        EXPECT_EQ(set.log2_norm2, L);
        EXPECT_EQ(set.lwe_noise.std_dev, minimum_secure_std_dev(set.lwe_dimension.value));
        EXPECT_EQ(set.glwe_noise.std_dev, minimum_secure_std_dev(set.big_lwe_dimension().value));
        EXPECT_EQ(set.target_p_error, noise::pbs_p_error(set, p, std::exp2(L)));
        EXPECT_NE(set.source.find("v0_last_128"), std::string::npos);
        if (target == ErrorTarget::tight) {
          EXPECT_LE(set.target_p_error, std::exp2(-40));
        } else if (p == 1) {
          EXPECT_LE(set.target_p_error, 6.35e-5);  // row (1, L) at its own precision
        } else {
          // Row (p−1, L) has t/σ >= 4 at p−1 bits, hence >= 2 at p bits: at most erfc(√2).
          EXPECT_LE(set.target_p_error, std::erfc(std::sqrt(2.0)));
          EXPECT_GT(set.target_p_error, 0.04);
        }
      }
    }
  }
  const std::size_t tfhe_rs_sets = params::tfhe_rs_rows().size();
  EXPECT_EQ(all_vetted_parameter_sets().size(), expected_v0_sets + tfhe_rs_sets);
}

TEST(ParamsRegistry, NamesAreUniqueAndFoundByName) {
  std::set<std::string> names;
  for (const ParameterSet* set : all_vetted_parameter_sets()) {
    EXPECT_TRUE(names.insert(set->name).second) << "duplicate " << set->name;
    EXPECT_EQ(&parameter_set_by_name(set->name), set);
    EXPECT_FALSE(set->insecure_for_tests) << set->name;
    EXPECT_FALSE(set->source.empty()) << set->name;
  }
  EXPECT_EQ(&parameter_set_by_name("insecure_toy_p3"), &insecure_toy_parameter_set(3));
}

TEST(ParamsRegistry, UnknownNameSuggestsCloseMatches) {
  try {
    parameter_set_by_name("v0_128_p6_L0_pe0.5");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("v0_128_p6_L0_pe0.5'"), std::string::npos) << message;
    EXPECT_NE(message.find("v0_128_p6_L0_pe0.05"), std::string::npos) << message;
  }
}

// Issue 14 (the fhe fuzzers' slow rate): suggesting close matches costs time in the name's
// length, and a client spec may hold a 1 MiB set name: it took ~60 s. Longer names than any set
// may have are refused unread.
TEST(ParamsRegistry, ANameLongerThanAnySetsIsRefusedUnread) {
  try {
    parameter_set_by_name(std::string(std::size_t{1} << 20, 'x'));
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& error) {
    EXPECT_NE(std::string(error.what()).find("its name has 1048576 bytes, longer than any set's (at most 256)"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(parameter_set_by_name(std::string(kMaxParameterSetNameBytes, 'x')), InvalidArgument);  // suggests
}

TEST(ParamsRegistry, RejectsRequestsOutsideTheTable) {
  EXPECT_THROW(vetted_parameter_set(0, ErrorTarget::loose), InvalidArgument);
  EXPECT_THROW(vetted_parameter_set(9, ErrorTarget::loose), InvalidArgument);
  EXPECT_THROW(vetted_parameter_set(4, ErrorTarget::loose, -1), InvalidArgument);
  EXPECT_THROW(vetted_parameter_set(4, ErrorTarget::loose, 32), InvalidArgument);
  // 8-bit tight uses row (9, L), which stops at L = 16.
  EXPECT_NO_THROW(vetted_parameter_set(8, ErrorTarget::tight, 16));
  EXPECT_THROW(vetted_parameter_set(8, ErrorTarget::tight, 17), InvalidArgument);
  EXPECT_THROW(insecure_toy_parameter_set(0), InvalidArgument);
  EXPECT_THROW(insecure_toy_parameter_set(9), InvalidArgument);
}

TEST(ParamsRegistry, CostsComeFromTheSourceTable) {
  for (int L : {0, 5, 20}) {
    const ParameterSet& set = vetted_parameter_set(6, ErrorTarget::loose, L);
    EXPECT_EQ(parameter_set_cost(set), params::find_v0_last_128_row(5, L)->cost) << set.name;
  }
  EXPECT_EQ(parameter_set_cost(parameter_set_by_name("tfhe_rs_v1_6_param_message_2_carry_2_ks_pbs_gaussian_2m64")),
            106);
  EXPECT_THROW(parameter_set_cost(insecure_toy_parameter_set(2)), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
