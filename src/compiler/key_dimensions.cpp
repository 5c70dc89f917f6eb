// Which key each value is under when partitions have nested GLWE keys of different k·N
// (docs/parameters.md, "Nested GLWE keys"; docs/fhe_compiler.md).
#include <algorithm>

#include "compiler/compile_steps.hpp"

namespace veil::compiler::detail {

std::vector<std::size_t> value_key_dimensions(const nn::quant::QuantizedCircuit& circuit,
                                              const std::vector<PbsSite>& sites,
                                              const std::vector<fhe::ParameterSet>& partitions) {
  std::vector<std::size_t> own(circuit.nodes.size(), 0);  // a PBS node's partition k·N
  for (const PbsSite& s : sites) {
    own[static_cast<std::size_t>(s.node)] = partitions[static_cast<std::size_t>(s.partition)].big_lwe_dimension().value;
  }
  std::vector<std::size_t> dimension(circuit.nodes.size(), 0);
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const nn::quant::QNode& node = circuit.nodes[v];
    std::size_t widest_input = 0;
    for (const QValueId in : node.inputs)
      widest_input = std::max(widest_input, dimension[static_cast<std::size_t>(in)]);
    switch (node.op) {
      case nn::quant::QOpKind::QuantizeInput:  // the client encrypts under partition 0's key
        dimension[v] = partitions.front().big_lwe_dimension().value;
        break;
      case nn::quant::QOpKind::Lookup: dimension[v] = own[v]; break;
      case nn::quant::QOpKind::MaxPool2d:  // max(a, b) = b + PBS(a - b): its input's key and its own
        dimension[v] = std::max(widest_input, own[v]);
        break;
      default: dimension[v] = widest_input; break;
    }
  }
  return dimension;
}

const PbsSite* site_reading_wider_key(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                                      const std::vector<fhe::ParameterSet>& partitions) {
  const std::vector<std::size_t> dimension = value_key_dimensions(circuit, sites, partitions);
  for (const PbsSite& s : sites) {
    const std::size_t own = partitions[static_cast<std::size_t>(s.partition)].big_lwe_dimension().value;
    for (const QValueId in : circuit.node(s.node).inputs) {
      if (dimension[static_cast<std::size_t>(in)] > own) return &s;
    }
  }
  return nullptr;
}

}  // namespace veil::compiler::detail
