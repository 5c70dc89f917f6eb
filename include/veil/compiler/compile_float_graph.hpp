#pragma once
// From a BN-folded float graph and calibration images to a compiled FHE program: the
// library's "float network -> FHE program" entry point (quantize, then compile_program).
#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::compiler {

/// Quantizes `folded_graph` on `calibration` ([N, input shape...]) with `config` and compiles
/// the circuit with `options`. Throws what the quantizer and the compiler throw.
FheProgram compile_float_graph(const nn::Graph& folded_graph, const Tensor& calibration,
                               const nn::quant::QuantizationConfig& config, const CompileOptions& options,
                               ThreadPool& pool);

}  // namespace veil::compiler
