#include "veil/compiler/compile_float_graph.hpp"

#include "veil/nn/quant/quantize_graph.hpp"

namespace veil::compiler {

FheProgram compile_float_graph(const nn::Graph& folded_graph, const Tensor& calibration,
                               const nn::quant::QuantizationConfig& config, const CompileOptions& options,
                               ThreadPool& pool) {
  return compile_program(nn::quant::make_quantized_circuit(folded_graph, calibration, config, pool), options);
}

}  // namespace veil::compiler
