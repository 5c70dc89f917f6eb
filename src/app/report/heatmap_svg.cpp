#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "veil/app/report/heatmap.hpp"

namespace veil::app {
namespace {

// Layout in SVG user units.
constexpr int kCellWidth = 64, kCellHeight = 36;
constexpr int kLeft = 120, kTop = 84, kBarGap = 28, kBarWidth = 18, kRight = 70, kBottom = 24;

struct Rgb {
  double r, g, b;
};

// Viridis sampled at 0, ¼, ½, ¾, 1: perceptually ordered and readable in grey.
constexpr std::array<Rgb, 5> kStops = {{{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};

std::string color_of(double fraction) {
  const double x = std::clamp(fraction, 0.0, 1.0) * (kStops.size() - 1);
  const auto i = std::min<std::size_t>(static_cast<std::size_t>(x), kStops.size() - 2);
  const double t = x - static_cast<double>(i);
  auto mix = [&](double a, double b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(kStops[i].r, kStops[i + 1].r), mix(kStops[i].g, kStops[i + 1].g),
                mix(kStops[i].b, kStops[i + 1].b));
  return buf;
}

std::string escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

void text(std::ostream& out, int x, int y, const std::string& anchor, const std::string& extra,
          const std::string& body) {
  out << "  <text x=\"" << x << "\" y=\"" << y << "\" text-anchor=\"" << anchor << "\"" << extra << ">" << escape(body)
      << "</text>\n";
}

}  // namespace

void write_heatmap_svg(const Heatmap& heatmap, std::ostream& out) {
  heatmap.validate();
  const int rows = static_cast<int>(heatmap.row_labels.size());
  const int columns = static_cast<int>(heatmap.column_labels.size());
  const int grid_width = columns * kCellWidth, grid_height = rows * kCellHeight;
  const int bar_x = kLeft + grid_width + kBarGap;
  // Wide enough for the bold title (about 9 units per character at this size).
  const int width = std::max(bar_x + kBarWidth + kRight, static_cast<int>(heatmap.title.size()) * 9 + 20);
  const int height = kTop + std::max(grid_height, 100) + kBottom;

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
      << "font-size=\"13\">\n"
      << "  <rect width=\"" << width << "\" height=\"" << height << "\" fill=\"white\"/>\n";
  text(out, width / 2, 22, "middle", " font-size=\"15\" font-weight=\"bold\"", heatmap.title);
  text(out, kLeft + grid_width / 2, 46, "middle", "", heatmap.column_axis);
  const int row_axis_y = kTop + grid_height / 2;
  text(out, 56, row_axis_y, "middle", " transform=\"rotate(-90 56 " + std::to_string(row_axis_y) + ")\"",
       heatmap.row_axis);
  for (int c = 0; c < columns; ++c)
    text(out, kLeft + c * kCellWidth + kCellWidth / 2, kTop - 10, "middle", "", heatmap.column_labels[c]);

  for (int r = 0; r < rows; ++r) {
    const int y = kTop + r * kCellHeight;
    text(out, kLeft - 10, y + kCellHeight / 2 + 5, "end", "", heatmap.row_labels[r]);
    for (int c = 0; c < columns; ++c) {
      const int x = kLeft + c * kCellWidth;
      const double v = heatmap.at(r, c);
      const bool measured = !std::isnan(v);
      out << "  <rect class=\"cell\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << kCellWidth << "\" height=\""
          << kCellHeight << "\" fill=\"" << (measured ? color_of(v) : "#dddddd")
          << "\" stroke=\"white\" stroke-width=\"1\"/>\n";
      char label[16] = "-";
      if (measured) std::snprintf(label, sizeof label, "%.1f", 100.0 * v);
      // Dark cells (below ~60 %) get white text, light ones black.
      text(out, x + kCellWidth / 2, y + kCellHeight / 2 + 5, "middle",
           std::string(" fill=\"") + (measured && v < 0.6 ? "white" : "black") + "\"", label);
    }
  }

  // Color bar: 0 % at the bottom, 100 % at the top, in ten bands.
  const int bar_height = std::max(grid_height, 100);
  constexpr int kBands = 10;
  for (int i = 0; i < kBands; ++i) {
    const double fraction = (i + 0.5) / kBands;
    const int y0 = kTop + bar_height - (i + 1) * bar_height / kBands;
    const int y1 = kTop + bar_height - i * bar_height / kBands;
    out << "  <rect x=\"" << bar_x << "\" y=\"" << y0 << "\" width=\"" << kBarWidth << "\" height=\"" << y1 - y0
        << "\" fill=\"" << color_of(fraction) << "\"/>\n";
  }
  text(out, bar_x + kBarWidth + 6, kTop + 10, "start", "", "100%");
  text(out, bar_x + kBarWidth + 6, kTop + bar_height / 2 + 5, "start", "", "50%");
  text(out, bar_x + kBarWidth + 6, kTop + bar_height, "start", "", "0%");
  out << "</svg>\n";
}

}  // namespace veil::app
