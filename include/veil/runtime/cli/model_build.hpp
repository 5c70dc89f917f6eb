#pragma once
// From a BN-folded float graph and calibration images to a compiled FHE program: the one
// path both command-line programs take (resnet18_fhe's crop, veil_fhe compile).
#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::runtime::cli {

/// Quantizes `folded_graph` on `calibration` ([N, input shape...]) with `config` and compiles
/// the circuit with `options`. Throws what the quantizer and the compiler throw.
compiler::FheProgram quantize_and_compile(const nn::Graph& folded_graph, const Tensor& calibration,
                                          const nn::quant::QuantizationConfig& config,
                                          const compiler::CompileOptions& options, ThreadPool& pool);

}  // namespace veil::runtime::cli
