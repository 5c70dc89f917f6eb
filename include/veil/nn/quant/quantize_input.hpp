#pragma once
// The circuit's QuantizeInput on one float image: the integer executor and the FHE client both
// call it, so an encrypted input holds exactly the integers the clear run reads.
#include <cstddef>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// x: one image, `count` floats of the circuit's input shape; y.data gets `count` integers
/// (y.shape is left to the caller).
void quantize_input(const QuantizeInputAttrs& attrs, const float* x, std::size_t count, IntTensor& y);

}  // namespace veil::nn::quant
