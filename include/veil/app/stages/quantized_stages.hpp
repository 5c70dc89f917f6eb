#pragma once
// Drives the quantized stages for each selected mode: quantize the BN-folded graph on the
// calibration images, run the clear integer executor and its FHE simulation over the
// evaluation images, count PBS; and builds the per-cell evaluation of the n_bits sweep.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "veil/app/flags/mode_reads.hpp"
#include "veil/app/report/quantized_report.hpp"
#include "veil/app/stages/sweep.hpp"
#include "veil/common/tensor.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/labelled_images.hpp"

namespace veil::app {

struct QuantizedStagesSettings {
  std::vector<nn::quant::QuantizationMode> modes{nn::quant::QuantizationMode::ReferenceCompatible,
                                                 nn::quant::QuantizationMode::Improved};
  /// What every mode shares (bits, rounding method, per-site overrides); its `mode` and
  /// `rounding_bits` are each mode's (make_config).
  nn::quant::QuantizationConfig quantization;
  /// Each mode's rounding bits and the simulation's p_error (stated for p_error_bits).
  ModeReads reads;
  bool simulate = true;
  /// Sets a mode's simulation from its compiled program (per-node error probabilities and
  /// output noise, which nn cannot compute: the compiler does); unset: p_error at every PBS.
  std::function<void(nn::quant::QuantizationMode, const nn::quant::QuantizedCircuit&, nn::quant::SimulationSettings&)>
      compiled_simulation;
  std::uint64_t simulation_seed = 0;
  std::size_t batch_size = 16;
  std::size_t threads = 0;           // 0: all cores
  std::ostream* progress = nullptr;  // stage lines and progress bars; null: silent
  bool interactive = false;          // redraw progress bars in place
};

/// "reference" / "improved".
std::string mode_name(nn::quant::QuantizationMode mode);

/// The quantizer's config for one mode of the settings: settings.quantization with `mode` and its
/// reads' rounding bits.
nn::quant::QuantizationConfig make_config(const QuantizedStagesSettings& settings, nn::quant::QuantizationMode mode);

/// Runs every mode of `settings` on `images` (valid items; fp32.images[i] is image i's fp32
/// result). calibration: [N, input shape...]. Appends one report per mode to `reports`.
/// Throws what the quantizer and the executor throw (InvalidArgument for bad settings).
void run_quantized_stages(const nn::Graph& folded_graph, const Tensor& calibration,
                          std::span<const LabelledImage> images, const nn::Fp32EvaluationResult& fp32,
                          const QuantizedStagesSettings& settings, const std::vector<std::string>& class_names,
                          std::vector<QuantizedModeReport>& reports);

/// A sweep cell evaluator for `mode`: quantizes with the cell's n_bits (Concrete ML's single
/// integer form: {max(5, n), n, n, max(5, n)}) and rounding bits (rounding method and the
/// rest from settings) and classifies `images` in the clear. The referenced objects must
/// outlive the evaluator.
EvaluateSweepCell make_sweep_cell_evaluator(const nn::Graph& folded_graph, const Tensor& calibration,
                                            std::span<const LabelledImage> images, const nn::Fp32EvaluationResult& fp32,
                                            const QuantizedStagesSettings& settings, nn::quant::QuantizationMode mode);

}  // namespace veil::app
