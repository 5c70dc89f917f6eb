// The one home of veil's number formats (reports, statistics summaries, messages).
#include "veil/common/format_numbers.hpp"

#include <gtest/gtest.h>

namespace veil {
namespace {

TEST(FormatNumbers, CountGroupsThousands) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(5971968), "5,971,968");
}

TEST(FormatNumbers, BytesInBinaryUnits) {
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(3 * 1024), "3.00 KiB");
  EXPECT_EQ(format_bytes(1536ull * 1024), "1.50 MiB");
  EXPECT_EQ(format_bytes(123ull << 30), "123.0 GiB");
}

TEST(FormatNumbers, PercentAndSignificantDigits) {
  EXPECT_EQ(format_percent(2.0 / 3.0), "66.67%");
  EXPECT_EQ(format_significant(0.0492227087123489, 3), "0.0492");
  EXPECT_EQ(format_significant(1.316e9, 4), "1.316e+09");
  EXPECT_EQ(format_significant(417372, 3), "4.17e+05");
}

}  // namespace
}  // namespace veil
