#pragma once
// Settings of the quantizer: the reference's (Concrete ML's) n_bits and
// rounding_threshold_bits, and the options of the improved mode.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace veil::nn::quant {

/// Bit widths as Concrete ML names them. model_outputs is accepted for compatibility: the
/// fc accumulator is returned exactly (no lookup), which is finer than any output width.
struct NBits {
  int model_inputs = 8;
  int op_inputs = 7;
  int op_weights = 7;
  int model_outputs = 9;

  /// Concrete ML's single-integer form: every width equal to n.
  static NBits uniform(int n) { return {n, n, n, n}; }
  bool operator==(const NBits&) const = default;
};

enum class RoundingMethod {
  Approximate,  // the modulus switch rounds; near a half-integer the noise decides
  Exact,        // the simulator reads the rounded index with the centred misread rate only
};

enum class QuantizationMode {
  ReferenceCompatible,  // per-tensor weights, min/max, lookups on both residual branches, 9-PBS max-pool
  Improved,             // per-channel weights, free residual adds, max on accumulators, optional percentiles
};

struct QuantizationConfig {
  QuantizationMode mode = QuantizationMode::ReferenceCompatible;
  NBits n_bits;
  /// Accumulators are rounded to this many most significant bits before each lookup
  /// (sets each lookup's p and shift). nullopt: no rounding (p = the accumulator's width).
  std::optional<int> rounding_bits = 7;
  /// Per-site override of rounding_bits, keyed by the circuit node that holds the PBS (a Lookup's
  /// name, e.g. "layer1.0.relu1", or a MaxPool2d's, e.g. "maxpool", for its pair lookups): that
  /// site's accumulator is read on at most this many bits. The names are the float graph's, so
  /// they stay the same across checkpoints; a name that is no rounded PBS site of the circuit is
  /// refused (InvalidArgument). Chosen by compiler::search_site_precision.
  std::map<std::string, int> rounding_bits_by_node;
  RoundingMethod rounding_method = RoundingMethod::Approximate;

  /// Improved mode: activation ranges clipped at this percentile of the calibration values
  /// (100 = min/max). Lookup index ranges always cover the full calibration range.
  double activation_percentile = 100.0;
  /// Improved mode: per-node override of op_inputs, keyed by the float graph's Relu/Add
  /// node name (e.g. "layer4.1.relu2").
  std::map<std::string, int> op_inputs_by_node;
  /// Lookup index ranges cover the calibration range widened by this fraction of its width
  /// on each side, so unseen images rarely overflow (negacyclic wrap).
  double index_margin = 1.0 / 16.0;
  /// The encrypted logits decode |q| up to this many times the calibration maximum (the proven
  /// worst case, often 30x wider, would leave them 30x noisier; docs/fhe_compiler.md).
  double output_margin = 4.0;
  /// Improved mode: widest weight of a residual join's conv branches, which are quantized at the
  /// join's unit (the finest channel's natural scale). A channel with near-zero weights (a BN
  /// scale near 0) would otherwise make every other channel's weights, and the join's noise,
  /// enormous; at this width such channels get fewer than op_weights bits instead.
  int join_weight_bits = 12;
  /// Improved mode: bias correction of every convolution and fully connected layer: the mean
  /// error its rounded weights make on the calibration images' inputs is added back to its
  /// integer bias. Off by default: on the synthetic checkpoints it helps the clear model but not
  /// the simulated one (docs/quantization.md, "Bias correction"); rerun on the official weights.
  bool bias_correction = false;
};

/// Checks bit widths (2..16 for activations and weights, 1..24 for rounding) and options;
/// InvalidArgument naming the field otherwise.
void validate_config(const QuantizationConfig& config);

}  // namespace veil::nn::quant
