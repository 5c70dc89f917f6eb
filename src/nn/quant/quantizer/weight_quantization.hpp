#pragma once
// Symmetric weight quantization of a Conv2d / Linear whose input is read with a known
// QuantScale. The input's per-channel scale is folded into the "effective" weights
// w[o, c, ...] * s_in[c], so the integer accumulator of output o reads as scale[o] * acc.
#include <cstdint>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// max|effective weight| / (2^(bits-1) - 1), per output channel or (per_channel false) one
/// value for all, repeated per output. A zero row gets scale 1.
std::vector<double> natural_weight_scales(const Tensor& weight, const QuantScale& input, int bits, bool per_channel);

/// The weight width holding every weight quantized at `scales` when `natural` (per output) are
/// the scales at `bits` (at least `bits`).
int bits_at_scales(const std::vector<double>& natural, const std::vector<double>& scales, int bits);

struct QuantizedWeights {
  std::vector<std::int64_t> weight;  // clamp(round_half_away(w_eff / scale[o]), -(2^(bits-1)-1), 2^(bits-1)-1)
  std::vector<std::int64_t> bias;    // round(b[o] / scale[o]) - zero_point * sum_k weight[o, k]
  std::vector<double> scales;        // one entry when all outputs share it, else per output
};

/// bias may be null. The input's zero point must be per tensor.
QuantizedWeights quantize_weights(const Tensor& weight, const Tensor* bias, const QuantScale& input,
                                  const std::vector<double>& scales, int bits);

/// Bias correction (Nagel et al., "Data-Free Quantization Through Weight Equalization and Bias
/// Correction", 2019): rounding the weights shifts each output's mean by
/// sum_k (w_eff[o, k] / scale[o] - weight[o, k]) * mean[c(k)], where mean[c] is the mean of
/// x - zero_point on input channel c over the calibration images; this adds that shift, rounded,
/// to the integer bias. input_means has one entry per input channel (weight.shape[1]).
void correct_bias(const Tensor& weight, const QuantScale& input, const std::vector<double>& input_means,
                  QuantizedWeights& q);

}  // namespace veil::nn::quant
