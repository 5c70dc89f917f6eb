// The heat map's SVG and text renderings: well-formed XML, one cell per value, escaping,
// colors ordered by value, and rejection of malformed grids.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>
#include <vector>

#include "veil/app/report/heatmap.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

// A small XML well-formedness check: every element closes in order, attribute values are
// quoted, and text holds no bare '<' or unknown entity. Returns "" or what is wrong.
std::string xml_problem(const std::string& xml) {
  std::vector<std::string> open;
  std::size_t i = 0;
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  const std::regex entity("^&(amp|lt|gt|quot|apos);");
  while (i < xml.size()) {
    if (xml[i] == '&') {
      if (!std::regex_search(xml.substr(i, 8), entity)) return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    const std::size_t end = xml.find('>', i);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(i);
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag.find('<') != std::string::npos) return "'<' inside tag " + tag;
    if (!tag.empty() && tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return "unexpected </" + tag.substr(1) + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.pop_back();
    std::istringstream words(tag);
    std::string name;
    words >> name;
    if (name.empty()) return "empty tag name";
    // Every attribute must look like key="value".
    const std::string rest = tag.substr(name.size());
    static const std::regex attrs(R"(^(\s+[A-Za-z_:][-A-Za-z0-9_:.]*="[^"<]*")*\s*$)");
    if (!std::regex_match(rest, attrs)) return "malformed attributes in <" + tag + ">";
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return "";
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

Heatmap grid_2x3() {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {"Accuracy <quantized> & simulated", "n_bits", "rounding_threshold_bits", {"6", "7"}, {"5", "7", "none"},
          {0.10, 0.5, 1.0, 0.0, nan, 0.875}};
}

TEST(HeatmapSvg, IsWellFormedWithOneCellPerValue) {
  std::ostringstream svg;
  write_heatmap_svg(grid_2x3(), svg);
  const std::string text = svg.str();
  EXPECT_EQ(xml_problem(text), "") << text;
  EXPECT_EQ(count(text, "class=\"cell\""), 6u);
  EXPECT_NE(text.find("&lt;quantized&gt; &amp; simulated"), std::string::npos);
  for (const char* label :
       {">87.5<", ">50.0<", ">100.0<", ">0.0<", ">10.0<", ">-<", ">none<", ">rounding_threshold_bits<"})
    EXPECT_NE(text.find(label), std::string::npos) << label;
}

TEST(HeatmapSvg, ChecksItsOwnWellFormednessCheck) {
  EXPECT_NE(xml_problem("<svg><rect></svg>"), "");
  EXPECT_NE(xml_problem("<svg><text>a & b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg width=3></svg>"), "");
  EXPECT_EQ(xml_problem("<svg a=\"1\"><rect b=\"2\"/><text>x &amp; y</text></svg>"), "");
}

TEST(HeatmapSvg, HigherValuesGetBrighterColors) {
  Heatmap map{"t", "r", "c", {"a"}, {"0", "1", "2"}, {0.0, 0.5, 1.0}};
  std::ostringstream svg;
  write_heatmap_svg(map, svg);
  const std::string text = svg.str();
  std::vector<double> brightness;
  const std::regex fill("class=\"cell\"[^>]*fill=\"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})\"");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), fill); it != std::sregex_iterator(); ++it) {
    double sum = 0;
    for (int g = 1; g <= 3; ++g) sum += std::stoi((*it)[g].str(), nullptr, 16);
    brightness.push_back(sum);
  }
  ASSERT_EQ(brightness.size(), 3u);
  EXPECT_LT(brightness[0], brightness[1]);
  EXPECT_LT(brightness[1], brightness[2]);
}

TEST(HeatmapTable, PrintsPercentRowsAndDashes) {
  std::ostringstream out;
  write_heatmap_table(grid_2x3(), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("rounding_threshold_bits"), std::string::npos);
  EXPECT_NE(text.find("     5     7  none"), std::string::npos) << text;
  EXPECT_NE(text.find("     6  10.0  50.0 100.0"), std::string::npos) << text;
  EXPECT_NE(text.find("     7   0.0     -  87.5"), std::string::npos) << text;
}

TEST(Heatmap, RejectsWrongSizesAndOutOfRangeValues) {
  Heatmap map = grid_2x3();
  map.values.pop_back();
  std::ostringstream out;
  try {
    write_heatmap_svg(map, out);
    FAIL() << "accepted 5 values for 2 x 3";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("5 values, expected 2 rows x 3 columns"), std::string::npos) << e.what();
  }
  map = grid_2x3();
  map.values[1] = 1.5;
  EXPECT_THROW(write_heatmap_table(map, out), InvalidArgument);
}

}  // namespace
}  // namespace veil::app
