// The one interval analysis of a quantized circuit (value_ranges), by hand on a max-pool of each
// schedule, and validate_circuit's exactness proof built on it. (The FHE compiler's output bound,
// which reads the same ranges, is checked in tests/compiler/encodings_test.cpp.)
#include "veil/nn/quant/value_ranges.hpp"

#include <gtest/gtest.h>

#include <string>

#include "nn/quant/circuit_builder.hpp"
#include "veil/common/error.hpp"

namespace veil::nn::quant {
namespace {

constexpr auto add = testing::add_node;

// Input [1, 4, 4] in [2, 5] -> 3x3 max-pool, stride 1, padding 1 with pad value -9, whose pair
// lookup's entries are relu(i) clamped to [0, 6] -> flatten -> a linear row whose only weight is
// `weight`.
QuantizedCircuit max_pool_then_linear(MaxPoolSchedule schedule, std::int64_t weight) {
  QuantizedCircuit c;
  const QValueId x = add(c, QOpKind::QuantizeInput, "input", {}, QuantizeInputAttrs{1.0, 0, 2, 5}, {1, 4, 4});
  LookupAttrs pair;
  pair.bits = 4;
  pair.function.relu = true;
  pair.function.out_max = 6;
  const QValueId pool =
      add(c, QOpKind::MaxPool2d, "maxpool", {x}, MaxPool2dAttrs{3, 1, 1, -9, schedule, pair}, {1, 4, 4});
  const QValueId flat = add(c, QOpKind::Flatten, "flatten", {pool}, FlattenAttrs{}, {16});
  std::vector<std::int64_t> row(16, 0);
  row[5] = weight;
  c.output = add(c, QOpKind::IntLinear, "fc", {flat}, IntLinearAttrs{{1, 16}, row, {0}}, {1});
  return c;
}

std::string invalid_argument_of(const QuantizedCircuit& c) {
  try {
    validate_circuit(c);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "(valid)";
}

TEST(ValueRanges, MaxPoolCountsThePairwiseMaximaOfItsSchedule) {
  // Sequential: 8 reads of +-6 from a start that may be the pad value: [-9, 5] + [-48, 48].
  // Separable: padded positions are skipped, 2 (k - 1) = 4 reads: [2, 5] + [-24, 24].
  for (const MaxPoolSchedule schedule : {MaxPoolSchedule::Sequential, MaxPoolSchedule::Separable}) {
    const bool sequential = schedule == MaxPoolSchedule::Sequential;
    SCOPED_TRACE(sequential ? "sequential" : "separable");
    const std::vector<IntegerRange> ranges = value_ranges(max_pool_then_linear(schedule, 1));
    ASSERT_EQ(ranges.size(), 4u);
    EXPECT_TRUE(ranges[0].lo == 2 && ranges[0].hi == 5);
    EXPECT_EQ(static_cast<long long>(ranges[1].lo), sequential ? -57 : -22);
    EXPECT_EQ(static_cast<long long>(ranges[1].hi), sequential ? 53 : 29);
    EXPECT_TRUE(ranges[2].lo == ranges[1].lo && ranges[2].hi == ranges[1].hi);
  }
}

TEST(ValueRanges, ExactAccumulationIsProvedOnTheIntervals) {
  // |fc| <= w * max|pool|: 57 sequential, 29 separable (the bound before this analysis was its
  // input's 9 plus 9 reads of 6, 63, for both). w = 2e14 fits 2^53 only under 29.
  const std::int64_t w = 200'000'000'000'000;
  EXPECT_EQ(invalid_argument_of(max_pool_then_linear(MaxPoolSchedule::Separable, w)), "(valid)");
  const std::string refused = invalid_argument_of(max_pool_then_linear(MaxPoolSchedule::Sequential, w));
  EXPECT_NE(refused.find("node 'fc': accumulator bound"), std::string::npos) << refused;
  EXPECT_NE(refused.find("is not below 2^53"), std::string::npos) << refused;
}

TEST(ValueRanges, LookupOffsetsBeyond2To62AreRefused) {
  QuantizedCircuit c = max_pool_then_linear(MaxPoolSchedule::Separable, 1);
  std::get<MaxPool2dAttrs>(c.nodes[1].attrs).pair.offset = std::int64_t{1} << 62;
  EXPECT_EQ(invalid_argument_of(c), "(valid)");
  std::get<MaxPool2dAttrs>(c.nodes[1].attrs).pair.offset = INT64_MIN;
  EXPECT_NE(invalid_argument_of(c).find("lookup offset -9223372036854775808, expected -2^62..2^62"), std::string::npos);
}

}  // namespace
}  // namespace veil::nn::quant
