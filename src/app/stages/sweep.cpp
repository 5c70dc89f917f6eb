#include "veil/app/stages/sweep.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "veil/common/error.hpp"

namespace veil::app {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += (c == '\n' || c == '\r') ? ' ' : c;
  }
  return out + "\"";
}

}  // namespace

std::string rounding_label(const std::optional<int>& rounding_bits) {
  return rounding_bits ? std::to_string(*rounding_bits) : std::string("none");
}

void run_sweep(const SweepGrid& grid, const EvaluateSweepCell& evaluate, ProgressBar* progress, SweepResult& result) {
  if (grid.n_bits.empty() || grid.rounding_bits.empty())
    throw InvalidArgument("sweep: grid of " + std::to_string(grid.n_bits.size()) + " n_bits x " +
                          std::to_string(grid.rounding_bits.size()) + " rounding settings, expected at least 1 x 1");
  const auto start = std::chrono::steady_clock::now();
  result = SweepResult{grid, {}, 0.0};
  if (progress) progress->update(0);
  for (const int n_bits : grid.n_bits) {
    for (const auto& rounding : grid.rounding_bits) {
      SweepCell cell;
      cell.n_bits = n_bits;
      cell.rounding_bits = rounding;
      try {
        evaluate(cell);
      } catch (const Error& e) {
        cell.error = e.what();
      }
      result.cells.push_back(std::move(cell));
      if (progress) progress->update(result.cells.size());
    }
  }
  if (progress) progress->finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void write_sweep_csv(const SweepResult& result, std::ostream& out) {
  out << "n_bits,rounding_bits,images,top1,top5,fp32_agreement,error\n";
  char figures[96];
  for (const SweepCell& cell : result.cells) {
    out << cell.n_bits << ',' << rounding_label(cell.rounding_bits) << ',';
    if (cell.error.empty()) {
      std::snprintf(figures, sizeof figures, "%zu,%.4f,%.4f,%.4f,", cell.images, cell.top1, cell.top5,
                    cell.fp32_agreement);
      out << figures << "\n";
    } else {
      out << ",,,," << quoted(cell.error) << "\n";
    }
  }
}

Heatmap make_sweep_heatmap(const SweepResult& result, SweepMetric metric, const std::string& title) {
  Heatmap map;
  map.title = title;
  map.row_axis = "n_bits";
  map.column_axis = "rounding_threshold_bits";
  for (const int n : result.grid.n_bits) map.row_labels.push_back(std::to_string(n));
  for (const auto& r : result.grid.rounding_bits) map.column_labels.push_back(rounding_label(r));
  if (result.cells.size() != map.row_labels.size() * map.column_labels.size())
    throw InvalidArgument("sweep heat map: " + std::to_string(result.cells.size()) + " cells, expected " +
                          std::to_string(map.row_labels.size() * map.column_labels.size()));
  for (const SweepCell& cell : result.cells) {
    double v = std::numeric_limits<double>::quiet_NaN();
    if (cell.error.empty())
      v = metric == SweepMetric::top1 ? cell.top1 : metric == SweepMetric::top5 ? cell.top5 : cell.fp32_agreement;
    map.values.push_back(v);
  }
  return map;
}

}  // namespace veil::app
