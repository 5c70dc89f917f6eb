#include "veil/runtime/published_client_spec.hpp"

#include <optional>
#include <variant>

#include "veil/common/error.hpp"
#include "veil/compiler/model_file.hpp"

namespace veil::runtime {

client::ClientSpec make_client_spec(const compiler::FheProgram& program) {
  const nn::quant::QuantizedCircuit& circuit = program.circuit;
  const auto* input =
      circuit.nodes.empty() ? nullptr : std::get_if<nn::quant::QuantizeInputAttrs>(&circuit.nodes[0].attrs);
  if (input == nullptr || program.encodings.empty()) {
    throw InvalidArgument("make_client_spec: the program's node 0 is not a QuantizeInput with an encoding");
  }
  const nn::quant::QNode& output = circuit.node(circuit.output);
  client::ClientSpec spec;
  spec.program_fingerprint = compiler::circuit_fingerprint(circuit);
  for (const fhe::ParameterSet& set : program.partitions) spec.parameter_sets.push_back(set.name);
  spec.input_shape = circuit.nodes[0].shape;
  spec.input_quantization = *input;
  spec.input_exponent = program.encodings[0].exponent;
  spec.output_shape = output.shape;
  spec.output_scale = output.scale;
  spec.output_exponent = program.output.exponent;
  spec.output_bound = program.output.bound;
  return spec;
}

void require_matching_spec(const client::ClientSpec& spec, const compiler::FheProgram& program) {
  if (const std::optional<client::SpecDifference> d = client::first_difference(spec, make_client_spec(program))) {
    throw InvalidArgument("client spec does not match the program: " + d->field + " is " + d->in_a + " in the spec, " +
                          d->in_b + " in the program");
  }
}

}  // namespace veil::runtime
