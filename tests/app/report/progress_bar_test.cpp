#include <gtest/gtest.h>

#include "veil/app/report/progress_bar.hpp"

namespace veil::app {
namespace {

TEST(ProgressBar, FormatsRateAndEta) {
  EXPECT_EQ(ProgressBar::format(50, 100, "images", 4.0),
            "[###############...............] 50/100 images  12.5 images/s  ETA 0:04");
  EXPECT_EQ(ProgressBar::format(100, 100, "images", 65.0),
            "[##############################] 100/100 images  1.5 images/s  elapsed 1:05");
  EXPECT_EQ(ProgressBar::format(0, 100, "images", 0.0).substr(33), "0/100 images  0.0 images/s  ETA --:--");
  EXPECT_EQ(ProgressBar::format(7, 0, "images", 2.0), "7 images  3.5 images/s  elapsed 0:02");
}

TEST(ProgressBar, ClockTimeShowsHoursFromAnHourOrWhenAsked) {
  EXPECT_EQ(format_clock_time(245.4), "4:05");
  EXPECT_EQ(format_clock_time(3723), "1:02:03");
  EXPECT_EQ(format_clock_time(631, true), "0:10:31");
  EXPECT_EQ(format_clock_time(0, true), "0:00:00");
}

}  // namespace
}  // namespace veil::app
