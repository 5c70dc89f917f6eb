#pragma once
// Numbers as veil's reports and messages print them: the one home of the percent, count, byte
// and significant-digit formats, for every layer.
#include <cstdint>
#include <string>

namespace veil {

/// A fraction in [0, 1] as the reports print it: 0.6667 -> "66.67%".
std::string format_percent(double fraction);

/// A count with thousands separators, read by magnitude: 5971968 -> "5,971,968".
std::string format_count(std::uint64_t n);

/// A size in binary units, three significant digits: 512 -> "512 B", 1536 KiB -> "1.50 MiB",
/// 123 GiB -> "123.0 GiB".
std::string format_bytes(std::uint64_t bytes);

/// `x` with `digits` significant digits, as printf's %g: (0.0492227, 3) -> "0.0492",
/// (1.3e9, 4) -> "1.3e+09".
std::string format_significant(double x, int digits);

}  // namespace veil
