// Lookup semantics (rounding, offset, negacyclic wrap, table entries) against direct
// enumeration with exact rational arithmetic.
#include <gtest/gtest.h>

#include <cmath>

#include "veil/common/error.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::nn::quant {
namespace {

// round half up of acc / 2^shift, computed as the integer k minimising |acc - k 2^shift|
// with ties going up.
std::int64_t rounded(std::int64_t acc, int shift) {
  const std::int64_t unit = std::int64_t{1} << shift;
  std::int64_t best = 0;
  for (std::int64_t k = -4096; k <= 4096; ++k) {
    const std::int64_t d = std::llabs(acc - k * unit), b = std::llabs(acc - best * unit);
    if (d < b || (d == b && k > best)) best = k;
  }
  return best;
}

TEST(Lookup, IndexRoundsHalfUpForEveryShift) {
  for (int shift = 0; shift <= 5; ++shift) {
    for (std::int64_t acc = -300; acc <= 300; ++acc) {
      ASSERT_EQ(lookup_index(acc, shift, 7), rounded(acc, shift) + 7) << "acc=" << acc << " shift=" << shift;
    }
  }
}

TEST(Lookup, ReadIsNegacyclicOutsideTheTable) {
  LookupAttrs l;
  l.bits = 3;
  l.function.out_min = -1000;
  l.function.out_max = 1000;
  l.function.in_scale = {1.0};
  l.function.out_scale = {1.0};
  l.offset = 0;  // entry i = i
  std::vector<std::int64_t> table;
  make_lookup_table(l, 0, table);
  ASSERT_EQ(table.size(), 8u);
  for (std::int64_t index = -40; index <= 40; ++index) {
    // Enumerate the negacyclic rule: the table repeats with period 16, negated on the odd half.
    std::int64_t i = index;
    std::int64_t sign = 1;
    while (i < 0) {
      i += 8;
      sign = -sign;
    }
    while (i >= 8) {
      i -= 8;
      sign = -sign;
    }
    EXPECT_EQ(lookup_read(l, 0, index), sign * table[static_cast<std::size_t>(i)]) << "index " << index;
  }
}

TEST(Lookup, EntriesFuseRescaleReluAndRequantization) {
  // v = 0.5 * ((i - 4) * 2 - 1); relu; out = clamp(round(v / 0.25) + 3, 0, 10).
  LookupAttrs l;
  l.bits = 3;
  l.shift = 1;
  l.offset = 4;
  l.function = {{0.5}, 1, true, {0.25}, 3, 0, 10};
  const std::int64_t expected[8] = {3, 3, 3, 3,
                                    3, 5, 9, 10};  // i=5: v=0.5 -> 2+3; i=6: v=1.5 -> 6+3; i=7: 2.5 -> clamp
  for (std::int64_t i = 0; i < 8; ++i) EXPECT_EQ(lookup_entry(l, 0, i), expected[i]) << "index " << i;
}

TEST(Lookup, PerChannelTablesUseTheirOwnScales) {
  LookupAttrs l;
  l.bits = 2;
  l.function = {{1.0, 2.0}, 0, false, {1.0}, 0, -100, 100};
  EXPECT_EQ(lookup_entry(l, 0, 3), 3);
  EXPECT_EQ(lookup_entry(l, 1, 3), 6);
  EXPECT_EQ(lookup_table_count(l), 2);
}

TEST(Lookup, RefusesHugeTables) {
  LookupAttrs l;
  l.bits = 30;
  std::vector<std::int64_t> table;
  EXPECT_THROW(make_lookup_table(l, 0, table), InvalidArgument);
}

}  // namespace
}  // namespace veil::nn::quant
