#pragma once
// A labelled grid of fractions (e.g. accuracy per n_bits × rounding bits) and its two
// renderings: an SVG heat map for people and a fixed-width text table for the terminal.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace veil::app {

struct Heatmap {
  std::string title;
  std::string row_axis;     // e.g. "n_bits"
  std::string column_axis;  // e.g. "rounding_threshold_bits"
  std::vector<std::string> row_labels;
  std::vector<std::string> column_labels;
  std::vector<double> values;  // row-major fractions in [0, 1]; NaN: not measured

  /// Throws InvalidArgument unless values has rows × columns entries, each NaN or in [0, 1].
  void validate() const;
  double at(std::size_t row, std::size_t column) const { return values[row * column_labels.size() + column]; }
};

/// A standalone SVG document: one colored cell per value (dark purple 0 % → yellow 100 %)
/// holding the value in percent, row labels on the left, column labels above, both axis
/// names, the title and a color bar. Text is XML-escaped. Throws what validate() throws.
void write_heatmap_svg(const Heatmap& heatmap, std::ostream& out);

/// The same grid as text: a header row of column labels, then one line per row with each
/// value in percent ("-" for NaN). Throws what validate() throws.
void write_heatmap_table(const Heatmap& heatmap, std::ostream& out);

}  // namespace veil::app
