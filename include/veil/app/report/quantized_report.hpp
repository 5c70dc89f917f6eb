#pragma once
// The quantized and simulated stages' report lines, worded as the seed script's, for each
// quantization mode side by side.
#include <cstddef>
#include <optional>
#include <ostream>
#include <span>
#include <string>

#include "veil/app/flags/mode_reads.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/quant/pbs_account.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/nn/quantized_evaluation.hpp"

namespace veil::app {

/// One quantization mode's results, as the report shows them.
struct QuantizedModeReport {
  std::string name;  // "reference" or "improved"
  nn::quant::QuantizationConfig config;
  nn::quant::PbsAccount pbs;
  double quantize_seconds = 0.0;  // calibration + circuit construction
  nn::QuantizedStageResult clear;
  std::optional<nn::QuantizedStageResult> simulated;
  ReadSettings reads;              // the mode's target (p_error stated for reads.p_error_bits)
  bool compiled_p_errors = false;  // the simulation drew the compiled program's per-node rates
  double p_error = 0.0;            // with compiled_p_errors: the largest of them (own bits)
};

/// "8/7/7/9 bits, rounding 7 (approximate)[, per site: maxpool 6 ...]": the config in one phrase.
std::string describe_config(const nn::quant::QuantizationConfig& config);

/// Writes, for each mode, the seed's "Quantized Model ..." and "FHE simulation ..." accuracy
/// lines (with the NOT-ImageNet caveat unless `official_weights`), agreement with fp32 (top-1,
/// and the logits' mean cosine and relative L2 error),
/// the observed and expected misread lookups, and the PBS per image by precision; then a side
/// by side table of the modes, and each image's top-5 per stage when at most
/// `per_image_limit` images.
void write_quantized_report(std::span<const QuantizedModeReport> modes, const nn::Fp32EvaluationResult& fp32,
                            bool official_weights, std::size_t calibration_images, std::size_t per_image_limit,
                            std::ostream& out);

}  // namespace veil::app
