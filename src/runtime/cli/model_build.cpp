#include "veil/runtime/cli/model_build.hpp"

#include "veil/nn/quant/quantize_graph.hpp"

namespace veil::runtime::cli {

compiler::FheProgram quantize_and_compile(const nn::Graph& folded_graph, const Tensor& calibration,
                                          const nn::quant::QuantizationConfig& config,
                                          const compiler::CompileOptions& options, ThreadPool& pool) {
  return compiler::compile_program(nn::quant::make_quantized_circuit(folded_graph, calibration, config, pool), options);
}

}  // namespace veil::runtime::cli
