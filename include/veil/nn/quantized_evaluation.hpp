#pragma once
// The quantized evaluation of labelled images held in memory: classify them with the clear
// integer executor (or its FHE simulation), count accuracy and agreement with the fp32 model
// (top-1 and logits), keep each image's top-5.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/labelled_images.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/quant/integer_executor.hpp"

namespace veil::nn {

struct QuantizedStageResult {
  AccuracyCounter accuracy;             // against the labels
  std::size_t fp32_agreement_hits = 0;  // images whose top-1 equals the fp32 top-1
  LogitAgreement fp32_logits;           // against the fp32 logits, where the fp32 results keep them
  std::vector<ImageResult> images;      // in input order
  quant::SimulationStats simulation;    // zeros for the clear run
  double seconds = 0.0;

  double fp32_agreement() const {
    return images.empty() ? 0.0 : static_cast<double>(fp32_agreement_hits) / static_cast<double>(images.size());
  }
};

/// Classifies `images` (each a valid, preprocessed LabelledImage) in batches with the clear
/// integer executor, or with its FHE simulation when `simulation` is given (image i is
/// simulation image i, so the draws do not depend on batch_size). fp32[i] is image i's fp32
/// result (same order and size as images; InvalidArgument otherwise). `progress` is told how
/// many images are done.
void evaluate_quantized(quant::IntegerExecutor& executor, std::span<const LabelledImage> images,
                        std::span<const ImageResult> fp32, const quant::SimulationSettings* simulation,
                        std::size_t batch_size, const std::vector<std::string>& class_names,
                        const ProgressCallback& progress, QuantizedStageResult& result);

}  // namespace veil::nn
