#pragma once
// Proven integer ranges of every value of a quantized circuit: interval arithmetic, 128-bit and
// exact, over every input image and every PBS misread (a lookup's range holds every entry of its
// table, negated too). The one interval analysis: validate_circuit proves with it that the
// integer executor's double GEMMs stay exact, and the FHE compiler takes the output's decoding
// bound from it.
#include <vector>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

__extension__ typedef __int128 Int128;  // interval ends: products of int64 weights and ranges

/// Every integer a value can take, for every input (an interval over all elements).
struct IntegerRange {
  Int128 lo = 0, hi = 0;
};

/// From QuantizeInput's [q_min, q_max] through every node of a circuit that passes
/// validate_circuit's structural checks: linear nodes per output channel (inputs joined with
/// their pad values), a lookup +-max|entry| over its channels, a max-pool one +-max|pair entry|
/// per pairwise max its schedule takes (k^2 - 1 Sequential, from a start joined with the pad
/// value; 2(k - 1) Separable, which skips padded positions). InvalidArgument naming the node if
/// a range leaves 128-bit integers.
std::vector<IntegerRange> value_ranges(const QuantizedCircuit& circuit);

}  // namespace veil::nn::quant
