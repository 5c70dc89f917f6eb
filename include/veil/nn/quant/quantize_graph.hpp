#pragma once
// Post-training quantization of a BN-folded float graph (ResNet-18's ops: Conv2d, Relu,
// MaxPool2d, Add, AvgPool2d, Flatten, Linear) into a QuantizedCircuit, calibrated on a
// batch of images by running the circuit itself as it is built.
#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// calibration: [N, input shape...] images (N >= 1), e.g. 10 images not in the evaluation
/// set. Throws InvalidArgument for an unfolded BatchNorm2d, an op the quantizer does not
/// handle, a bad config, a calibration shape mismatch, or weights too wide for exact
/// double-precision accumulation (|acc| must stay below 2^53).
QuantizedCircuit make_quantized_circuit(const Graph& graph, const Tensor& calibration, const QuantizationConfig& config,
                                        ThreadPool& pool);

}  // namespace veil::nn::quant
