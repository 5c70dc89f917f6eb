#pragma once
// Parsing a class label written as decimal text (CSV field or webdataset .cls member).
#include <optional>
#include <string>

namespace veil::io::detail {

/// The label, or nullopt when `text` (surrounding whitespace allowed) is not an integer
/// in [0, 1'000'000).
std::optional<int> parse_label(const std::string& text);

}  // namespace veil::io::detail
