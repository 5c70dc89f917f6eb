#pragma once
// Static bounds on |value| per node, used to prove that double-precision GEMMs stay exact.
#include <vector>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// Upper bound of |element| for each node's output (as a double; may exceed 2^63).
std::vector<double> make_value_bounds(const QuantizedCircuit& circuit);

/// Throws InvalidArgument naming the node when a convolution's or linear layer's
/// accumulator could reach 2^53 (doubles would no longer be exact).
void check_exact_accumulation(const QuantizedCircuit& circuit);

}  // namespace veil::nn::quant
