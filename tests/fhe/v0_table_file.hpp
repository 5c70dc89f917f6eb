#pragma once
// Test support: reads a published Concrete v0 table file (../shared/data/params/v0_last_*.txt).
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "fhe/params/v0_table.hpp"

namespace veil::fhe::test {

/// The rows of the v0 table file at `path`, in file order (empty if it cannot be read).
inline std::vector<params::V0Row> parse_v0_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  const std::regex precision_line(R"(^\s*- (\d+): # bits)");
  const std::regex row_line(
      R"(^\s*- (\d+)\s*:\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*(\d+),\s*([0-9.eE+-]+)\s*$)");
  std::vector<params::V0Row> rows;
  int precision = 0;
  std::smatch m;
  for (std::string line; std::getline(in, line);) {
    if (std::regex_search(line, m, precision_line)) {
      precision = std::stoi(m[1]);
    } else if (precision > 0 && std::regex_search(line, m, row_line)) {
      rows.push_back({precision, std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3]), std::stoi(m[4]), std::stoi(m[5]),
                      std::stoi(m[6]), std::stoi(m[7]), std::stoi(m[8]), std::stoi(m[9]), std::stod(m[10])});
    }
  }
  return rows;
}

/// ../shared/data/params/<file>.
inline std::filesystem::path shared_params_file(const char* file) {
  return std::filesystem::path(VEIL_SHARED_DATA_DIR) / "params" / file;
}

}  // namespace veil::fhe::test
