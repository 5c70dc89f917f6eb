// The sweep driver (order, failed cells, progress) and its CSV and heat-map outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "veil/app/stages/sweep.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

// A fake evaluation whose figures encode the cell, so misplaced cells show.
void fake_cell(SweepCell& cell) {
  if (cell.n_bits == 3 && !cell.rounding_bits) throw InvalidArgument("accumulator too wide");
  cell.images = 4;
  cell.top1 = cell.n_bits / 10.0;
  cell.top5 = cell.rounding_bits ? *cell.rounding_bits / 10.0 : 1.0;
  cell.fp32_agreement = 0.25;
}

SweepResult run_grid() {
  SweepResult result;
  run_sweep({{2, 3}, {4, 6, std::nullopt}}, fake_cell, nullptr, result);
  return result;
}

TEST(Sweep, EvaluatesEveryCellRowMajorAndKeepsFailures) {
  const SweepResult result = run_grid();
  ASSERT_EQ(result.cells.size(), 6u);
  EXPECT_EQ(result.cells[1].n_bits, 2);
  EXPECT_EQ(result.cells[1].rounding_bits, 6);
  EXPECT_EQ(result.cells[3].n_bits, 3);
  EXPECT_EQ(result.cells[3].rounding_bits, 4);
  EXPECT_EQ(result.cells[5].error, "accumulator too wide");
  EXPECT_TRUE(result.cells[4].error.empty());
}

TEST(Sweep, ReportsProgressPerCell) {
  std::ostringstream bar_text;
  ProgressBar bar(bar_text, 6, "cells", false);
  SweepResult result;
  run_sweep({{2, 3}, {4, 6, std::nullopt}}, fake_cell, &bar, result);
  EXPECT_NE(bar_text.str().find("6/6 cells"), std::string::npos) << bar_text.str();
}

TEST(Sweep, RejectsAnEmptyGrid) {
  SweepResult result;
  EXPECT_THROW(run_sweep({{}, {4}}, fake_cell, nullptr, result), InvalidArgument);
  EXPECT_THROW(run_sweep({{2}, {}}, fake_cell, nullptr, result), InvalidArgument);
}

TEST(SweepCsv, OneLinePerCellWithQuotedErrors) {
  std::ostringstream csv;
  write_sweep_csv(run_grid(), csv);
  const std::string text = csv.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 7);
  EXPECT_EQ(text.rfind("n_bits,rounding_bits,images,top1,top5,fp32_agreement,error\n", 0), 0u);
  EXPECT_NE(text.find("\n2,6,4,0.2000,0.6000,0.2500,\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n2,none,4,0.2000,1.0000,0.2500,\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\n3,none,,,,,\"accumulator too wide\"\n"), std::string::npos) << text;
}

TEST(SweepHeatmap, PicksTheMetricAndMarksFailuresNaN) {
  const Heatmap map = make_sweep_heatmap(run_grid(), SweepMetric::top5, "top-5");
  ASSERT_EQ(map.values.size(), 6u);
  EXPECT_EQ(map.column_labels.back(), "none");
  EXPECT_EQ(map.row_labels[1], "3");
  EXPECT_DOUBLE_EQ(map.at(0, 1), 0.6);
  EXPECT_DOUBLE_EQ(map.at(0, 2), 1.0);
  EXPECT_TRUE(std::isnan(map.at(1, 2)));
  EXPECT_DOUBLE_EQ(make_sweep_heatmap(run_grid(), SweepMetric::top1, "").at(1, 0), 0.3);
}

}  // namespace
}  // namespace veil::app
