#include <algorithm>
#include <cmath>

#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {

void softmax(std::span<const float> logits, std::span<float> out) {
  if (out.size() != logits.size())
    throw InvalidArgument("softmax: output of size " + std::to_string(out.size()) + ", expected " +
                          std::to_string(logits.size()));
  if (logits.empty()) return;
  const float top = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float v : logits) sum += std::exp(static_cast<double>(v) - top);
  for (std::size_t i = 0; i < logits.size(); ++i)
    out[i] = static_cast<float>(std::exp(static_cast<double>(logits[i]) - top) / sum);
}

std::vector<Prediction> make_predictions(std::span<const float> logits, const std::vector<std::string>& class_names,
                                         std::size_t k) {
  if (!class_names.empty() && class_names.size() != logits.size())
    throw InvalidArgument("predictions: " + std::to_string(class_names.size()) + " class names for " +
                          std::to_string(logits.size()) + " logits");
  std::vector<float> probabilities(logits.size());
  softmax(logits, probabilities);
  std::vector<Prediction> out;
  for (std::int64_t i : make_top_k(logits, k)) {
    const auto u = static_cast<std::size_t>(i);
    out.push_back({i, probabilities[u], class_names.empty() ? std::string() : class_names[u]});
  }
  return out;
}

}  // namespace veil::nn
