// The embedded v0_last_128 table: same rows as the published file, and the noise model
// reproduces the table's own p_error column for every row.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "fhe/params/v0_table.hpp"
#include "fhe/v0_table_file.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

using params::V0Row;

TEST(ParamsV0Table, EmbeddedRowsMatchThePublishedFile) {
  const std::filesystem::path path = test::shared_params_file("v0_last_128.txt");
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no copy of the published table at " << path;
  const std::vector<V0Row> published = test::parse_v0_file(path);
  const auto embedded = params::v0_last_128_rows();
  ASSERT_EQ(published.size(), embedded.size());
  for (std::size_t i = 0; i < published.size(); ++i) {
    const V0Row& a = published[i];
    const V0Row& b = embedded[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": precision " + std::to_string(a.precision) + ", L " +
                 std::to_string(a.log2_norm2));
    EXPECT_EQ(a.precision, b.precision);
    EXPECT_EQ(a.log2_norm2, b.log2_norm2);
    EXPECT_EQ(a.k, b.k);
    EXPECT_EQ(a.log2_N, b.log2_N);
    EXPECT_EQ(a.n, b.n);
    EXPECT_EQ(a.br_l, b.br_l);
    EXPECT_EQ(a.br_b, b.br_b);
    EXPECT_EQ(a.ks_l, b.ks_l);
    EXPECT_EQ(a.ks_b, b.ks_b);
    EXPECT_EQ(a.cost, b.cost);
    EXPECT_EQ(a.p_error, b.p_error);
  }
}

TEST(ParamsV0Table, CoversEveryPrecisionFromLZeroWithoutGaps) {
  for (int p = 1; p <= 10; ++p) {
    SCOPED_TRACE("precision " + std::to_string(p));
    ASSERT_TRUE(params::find_v0_last_128_row(p, 0).has_value());
    int last = 0;
    while (params::find_v0_last_128_row(p, last + 1)) ++last;
    for (int L = last + 1; L <= 31; ++L) EXPECT_FALSE(params::find_v0_last_128_row(p, L).has_value());
  }
  EXPECT_FALSE(params::find_v0_last_128_row(0, 0).has_value());
  EXPECT_FALSE(params::find_v0_last_128_row(11, 0).has_value());
}

// The table prints p_error with two significant digits (e.g. 6.2e-5), so a faithful model must
// land within half a unit of that last digit: 0.05e-5 (every row targets ~6e-5, so ~1% relative).
constexpr double kTablePrintedHalfUnit = 0.05e-5;

TEST(ParamsV0Table, NoiseModelReproducesEveryRowsPError) {
  for (const V0Row& row : params::v0_last_128_rows()) {
    const double model =
        noise::pbs_p_error(params::v0_row_parameter_set(row), row.precision, std::exp2(row.log2_norm2));
    EXPECT_NEAR(model, row.p_error, kTablePrintedHalfUnit)
        << "row (precision " << row.precision << ", L " << row.log2_norm2 << ")";
  }
}

}  // namespace
}  // namespace veil::fhe
