#pragma once
// The proof that the integer executor's double-precision GEMMs stay exact.
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// Throws InvalidArgument naming the node when a convolution's or linear layer's accumulator
/// could reach 2^53 (doubles would no longer be exact): max over rows of sum |w| times the
/// largest |input| (its value_ranges interval, joined with the pad value), plus max |bias|. The
/// sum of absolute values bounds every partial sum, in whatever order the GEMM adds.
void check_exact_accumulation(const QuantizedCircuit& circuit);

}  // namespace veil::nn::quant
