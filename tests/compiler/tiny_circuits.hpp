#pragma once
// Hand-built circuits whose exponents, lifts and noise bounds the tests compute by hand.
#include <array>

#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::compiler::testing {

/// Uniform mode (one set for the whole circuit, CompileOptions::multi_parameter false): what the
/// tests of encodings, set choice and statistics check by hand.
inline CompileOptions uniform() {
  CompileOptions options;
  options.multi_parameter = false;
  return options;
}

/// input [1,4,4] in [0,15] -> conv1 3x3 pad 1 -> relu1 (4 bits, shift 3) -> conv2 1x1 -> relu2
/// (4 bits, shift 1); add = relu2 + relu1 read twice (multipliers {3,5} and {2}) -> relu3
/// (3 bits, shift 5) -> sum-pool 2/2 -> flatten -> fc [3, 8]. relu1's value has two readers
/// that need different exponents (conv2 via relu2: 58, add via relu3: 55).
nn::quant::QuantizedCircuit residual_circuit();

/// input [1,6,6] in [0,15] -> conv 1x1 (3x + 1) -> max-pool 3/2/1 (pair: 6 bits, shift 1) ->
/// requant (5 bits, shift 3); the conv also feeds a sum-pool 3/2/1; join = 4 requant + pool.
nn::quant::QuantizedCircuit max_pool_circuit(nn::quant::MaxPoolSchedule schedule);

/// input [1,4,4] in [0,15] -> first (7 bits) -> three 1x1 convs reading it, one weight of
/// `weights` each -> lookups a, b, c (7 bits, shifts `shifts`) -> join = a + b + c. Each branch's
/// lookup reads first's PBS noise times its weight.
nn::quant::QuantizedCircuit branches_circuit(const std::array<std::int64_t, 3>& weights,
                                             const std::array<int, 3>& shifts);

}  // namespace veil::compiler::testing
