#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {

void LogitAgreement::add(std::span<const float> logits, std::span<const float> reference) {
  if (logits.empty() || logits.size() != reference.size())
    throw InvalidArgument("logit agreement: " + std::to_string(logits.size()) + " logits against " +
                          std::to_string(reference.size()) + " reference logits, expected the same non-zero count");
  double dot = 0.0, norm_x = 0.0, norm_r = 0.0, error = 0.0;
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double x = logits[i], r = reference[i];
    dot += x * r;
    norm_x += x * x;
    norm_r += r * r;
    error += (x - r) * (x - r);
  }
  if (norm_r == 0.0) throw InvalidArgument("logit agreement: the reference logits are all zero");
  // All-zero logits point nowhere: cosine 0, the least agreement short of opposite.
  cosine_sum_ += norm_x > 0.0 ? dot / std::sqrt(norm_x * norm_r) : 0.0;
  relative_l2_sum_ += std::sqrt(error / norm_r);
  ++images_;
}

double LogitAgreement::mean_cosine() const { return images_ ? cosine_sum_ / static_cast<double>(images_) : 0.0; }

double LogitAgreement::mean_relative_l2() const {
  return images_ ? relative_l2_sum_ / static_cast<double>(images_) : 0.0;
}

}  // namespace veil::nn
