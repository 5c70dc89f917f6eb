#pragma once
// The fp32 stage's report, worded as the seed script's (run_resnet18_fhe.py).
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "veil/nn/fp32_evaluation.hpp"

namespace veil::app {

struct WeightsDescription {
  std::string path;
  std::string sha256;
  bool official_verified = false;  // sha256 equals the published IMAGENET1K_V1 digest
};

/// Writes the report: weights line, accuracy lines as the seed script prints them (each
/// marked NOT ImageNet accuracy unless the weights are the verified official file), the
/// time taken, skipped items, and each image's top-5 when at most `per_image_limit` images
/// (true labels named from class_names when it has them).
void write_fp32_report(const nn::Fp32EvaluationResult& result, const WeightsDescription& weights,
                       const std::vector<std::string>& class_names, std::size_t threads, std::size_t batch_size,
                       std::size_t per_image_limit, std::ostream& out);

}  // namespace veil::app
