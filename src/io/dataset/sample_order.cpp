#include "io/dataset/sample_order.hpp"

#include <numeric>
#include <utility>

namespace veil::io::detail {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Uniform in [0, bound) without modulo bias.
std::uint64_t uniform_below(std::uint64_t bound, std::uint64_t& state) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % bound);
  std::uint64_t r;
  do r = splitmix64(state);
  while (r >= limit);
  return r % bound;
}

}  // namespace

std::vector<std::size_t> make_sample_order(std::size_t count, std::optional<std::uint64_t> seed, std::size_t limit) {
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (seed) {
    std::uint64_t state = *seed;
    for (std::size_t i = count; i > 1; --i) std::swap(order[i - 1], order[uniform_below(i, state)]);
  }
  if (limit != 0 && limit < order.size()) order.resize(limit);
  return order;
}

}  // namespace veil::io::detail
