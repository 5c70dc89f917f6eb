#pragma once
// Reproducible subset selection shared by the datasets: a seeded permutation that does
// not depend on the standard library's distributions (which differ between vendors).
#include <cstdint>
#include <optional>
#include <vector>

namespace veil::io::detail {

/// Indices 0..count-1, permuted by `seed` when set (Fisher-Yates over splitmix64 with
/// rejection sampling), then cut to `limit` (0: no limit).
std::vector<std::size_t> make_sample_order(std::size_t count, std::optional<std::uint64_t> seed, std::size_t limit);

}  // namespace veil::io::detail
