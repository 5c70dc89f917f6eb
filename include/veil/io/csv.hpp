#pragma once
// Minimal RFC 4180 CSV reading (quoted fields, doubled quotes) for label files.
#include <string>
#include <vector>

namespace veil::io {

/// Splits one CSV record (no line terminator). Throws FormatError on an unterminated
/// quote; `where` names the file and line in the message.
std::vector<std::string> split_csv_line(const std::string& line, const std::string& where);

}  // namespace veil::io
