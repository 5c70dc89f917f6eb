#pragma once
// The quantized and simulated stages of the resnet18_fhe flow: classify images held in
// memory with the clear integer executor (or its FHE simulation), count accuracy and
// agreement with the fp32 model's top-1, keep each image's top-5, and write the seed
// script's report lines for each quantization mode side by side.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "veil/app/stages/fp32_evaluation.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/app/report/progress_bar.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/pbs_account.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app {

struct QuantizedStageResult {
  nn::AccuracyCounter accuracy;                   // against the labels
  std::size_t fp32_agreement_hits = 0;        // images whose top-1 equals the fp32 top-1
  nn::LogitAgreement fp32_logits;                 // against the fp32 logits, where the fp32 results keep them
  std::vector<ImageResult> images;            // in input order
  nn::quant::SimulationStats simulation;          // zeros for the clear run
  double seconds = 0.0;

  double fp32_agreement() const {
    return images.empty() ? 0.0 : static_cast<double>(fp32_agreement_hits) / static_cast<double>(images.size());
  }
};

/// Classifies `images` (each a valid, preprocessed LabelledImage) in batches with the clear
/// integer executor, or with its FHE simulation when `simulation` is given (image i is
/// simulation image i, so the draws do not depend on batch_size). fp32[i] is image i's fp32
/// result (same order and size as images; InvalidArgument otherwise). `progress` may be null.
void evaluate_quantized(nn::quant::IntegerExecutor& executor, std::span<const LabelledImage> images,
                        std::span<const ImageResult> fp32, const nn::quant::SimulationSettings* simulation,
                        std::size_t batch_size, const std::vector<std::string>& class_names, ProgressBar* progress,
                        QuantizedStageResult& result);

/// One quantization mode's results, as the report shows them.
struct QuantizedModeReport {
  std::string name;                     // "reference" or "improved"
  nn::quant::QuantizationConfig config;
  nn::quant::PbsAccount pbs;
  double quantize_seconds = 0.0;        // calibration + circuit construction
  QuantizedStageResult clear;
  std::optional<QuantizedStageResult> simulated;
  double p_error = 0.0;                 // of the simulation: at every PBS, or the largest per-node one
  bool compiled_p_errors = false;       // per-node error probabilities of the compiled program
};

/// "8/7/7/9 bits, rounding 7 (approximate)[, per site: maxpool 6 ...]": the config in one phrase.
std::string describe_config(const nn::quant::QuantizationConfig& config);

/// Writes, for each mode, the seed's "Quantized Model ..." and "FHE simulation ..." accuracy
/// lines (with the NOT-ImageNet caveat unless `official_weights`), agreement with fp32 (top-1,
/// and the logits' mean cosine and relative L2 error),
/// the observed and expected misread lookups, and the PBS per image by precision; then a side
/// by side table of the modes, and each image's top-5 per stage when at most
/// `per_image_limit` images.
void write_quantized_report(std::span<const QuantizedModeReport> modes, const Fp32EvaluationResult& fp32,
                            bool official_weights, std::size_t calibration_images, std::size_t per_image_limit,
                            std::ostream& out);

}  // namespace veil::app
