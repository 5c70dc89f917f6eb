#pragma once
// The small seeded ResNet (veil/nn/small_resnet.hpp) quantized for the compiler's tests,
// each setting quantized once per test binary.
#include <cstdint>
#include <optional>

#include "veil/common/tensor.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::compiler::testing {

constexpr std::int64_t kSmallInputSize = 12;

/// Quantized with `mode`, n_bits uniform(n_bits) (8: the reference's 8/7/7/9) and rounding
/// bits, calibrated on 16 seeded images.
const nn::quant::QuantizedCircuit& small_network(nn::quant::QuantizationMode mode, std::optional<int> rounding_bits,
                                                 int n_bits = 8);

/// n seeded images [n, 3, S, S] (not the calibration images).
Tensor small_network_images(std::int64_t n);

}  // namespace veil::compiler::testing
