#include <algorithm>
#include <numeric>

#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {

std::vector<std::int64_t> make_top_k(std::span<const float> scores, std::size_t k) {
  if (k > scores.size())
    throw InvalidArgument("top-k: k = " + std::to_string(k) + ", expected at most the " +
                          std::to_string(scores.size()) + " scores");
  std::vector<std::int64_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](std::int64_t a, std::int64_t b) {
                      const float sa = scores[static_cast<std::size_t>(a)], sb = scores[static_cast<std::size_t>(b)];
                      return sa > sb || (sa == sb && a < b);
                    });
  order.resize(k);
  return order;
}

}  // namespace veil::nn
