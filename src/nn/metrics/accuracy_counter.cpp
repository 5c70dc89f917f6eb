#include <algorithm>

#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {

void AccuracyCounter::add(std::span<const float> logits, std::int64_t label) {
  if (label < 0 || static_cast<std::size_t>(label) >= logits.size())
    throw InvalidArgument("accuracy: label " + std::to_string(label) + ", expected in [0, " +
                          std::to_string(logits.size()) + ")");
  const auto top = make_top_k(logits, std::min<std::size_t>(5, logits.size()));
  ++images_;
  if (top.front() == label) ++top1_hits_;
  if (std::find(top.begin(), top.end(), label) != top.end()) ++top5_hits_;
}

double AccuracyCounter::top1() const { return images_ ? static_cast<double>(top1_hits_) / images_ : 0.0; }
double AccuracyCounter::top5() const { return images_ ? static_cast<double>(top5_hits_) / images_ : 0.0; }

}  // namespace veil::nn
