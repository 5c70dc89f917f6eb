#pragma once
// The n_bits × rounding-threshold-bits sweep of the seed's --run_experiment: runs one
// evaluation per grid cell (the caller supplies it, so this file knows nothing about how a
// model is quantized), shows progress, and writes the grid as CSV and as a heat map.
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "veil/app/report/heatmap.hpp"
#include "veil/app/report/progress_bar.hpp"

namespace veil::app {

struct SweepGrid {
  std::vector<int> n_bits;                        // rows
  std::vector<std::optional<int>> rounding_bits;  // columns; nullopt: no rounding
};

struct SweepCell {
  int n_bits = 0;
  std::optional<int> rounding_bits;
  std::size_t images = 0;
  double top1 = 0.0, top5 = 0.0;  // against the labels, fractions
  double fp32_agreement = 0.0;    // fraction of images whose top-1 equals the fp32 model's
  std::string error;              // non-empty: this cell could not be evaluated, and why
};

struct SweepResult {
  SweepGrid grid;
  std::vector<SweepCell> cells;  // row-major: n_bits outer, rounding_bits inner
  double seconds = 0.0;
};

/// Fills the accuracy fields of a cell whose n_bits and rounding_bits are set. A veil::Error
/// it throws marks that cell failed (its message kept in cell.error); the sweep goes on.
using EvaluateSweepCell = std::function<void(SweepCell&)>;

/// Evaluates every cell in row-major order, telling `progress` (may be null) after each.
/// Throws InvalidArgument for an empty grid.
void run_sweep(const SweepGrid& grid, const EvaluateSweepCell& evaluate, ProgressBar* progress, SweepResult& result);

/// "none" or the number: how a rounding setting is written in tables and files.
std::string rounding_label(const std::optional<int>& rounding_bits);

/// CSV with header n_bits,rounding_bits,images,top1,top5,fp32_agreement,error (fractions
/// with 4 decimals; failed cells have empty figures and the quoted error).
void write_sweep_csv(const SweepResult& result, std::ostream& out);

enum class SweepMetric { top1, top5, fp32_agreement };

/// The grid of one metric (failed cells NaN), rows n_bits, columns rounding bits.
Heatmap make_sweep_heatmap(const SweepResult& result, SweepMetric metric, const std::string& title);

}  // namespace veil::app
