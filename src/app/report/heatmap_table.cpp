#include <algorithm>
#include <cmath>
#include <cstdio>

#include "veil/app/report/heatmap.hpp"

namespace veil::app {

void write_heatmap_table(const Heatmap& heatmap, std::ostream& out) {
  heatmap.validate();
  std::size_t label_width = heatmap.row_axis.size();
  for (const auto& label : heatmap.row_labels) label_width = std::max(label_width, label.size());
  std::size_t cell_width = 6;  // "100.0" plus a space
  for (const auto& label : heatmap.column_labels) cell_width = std::max(cell_width, label.size() + 1);
  auto pad = [](const std::string& text, std::size_t width) {
    return std::string(width > text.size() ? width - text.size() : 0, ' ') + text;
  };

  out << heatmap.title << " (%; columns: " << heatmap.column_axis << ")\n";
  out << heatmap.row_axis << std::string(label_width - heatmap.row_axis.size(), ' ');
  for (const auto& label : heatmap.column_labels) out << pad(label, cell_width);
  out << "\n";
  for (std::size_t r = 0; r < heatmap.row_labels.size(); ++r) {
    out << pad(heatmap.row_labels[r], label_width);
    for (std::size_t c = 0; c < heatmap.column_labels.size(); ++c) {
      const double v = heatmap.at(r, c);
      char cell[16] = "-";
      if (!std::isnan(v)) std::snprintf(cell, sizeof cell, "%.1f", 100.0 * v);
      out << pad(cell, cell_width);
    }
    out << "\n";
  }
}

}  // namespace veil::app
