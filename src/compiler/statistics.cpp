// What a compiled program costs per image: PBS and linear operations per node, key and
// ciphertext sizes, error probabilities.
#include <algorithm>

#include "veil/compiler/statistics.hpp"
#include "veil/fhe/compressed_server_key.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/server_key.hpp"
#include "veil/nn/quant/pbs_account.hpp"

namespace veil::compiler {
namespace {

using namespace nn::quant;

// Ciphertext multiply-adds of one node per image; a max-pool's pairwise max is a subtraction,
// a lift and an addition around its PBS.
std::uint64_t linear_ops(const QNode& n, std::uint64_t pbs) {
  const auto outputs = static_cast<std::uint64_t>(element_count(n.shape));
  switch (n.op) {
    case QOpKind::IntConv2d: {
      const Shape& w = std::get<IntConv2dAttrs>(n.attrs).weight_shape;
      return outputs * static_cast<std::uint64_t>(w[1] * w[2] * w[3]);
    }
    case QOpKind::IntLinear: {
      const Shape& w = std::get<IntLinearAttrs>(n.attrs).weight_shape;
      return static_cast<std::uint64_t>(w[0] * w[1]);
    }
    case QOpKind::Combine: return outputs * n.inputs.size();
    case QOpKind::SumPool2d: {
      const std::int64_t k = std::get<SumPool2dAttrs>(n.attrs).kernel;
      return outputs * static_cast<std::uint64_t>(k * k);
    }
    case QOpKind::MaxPool2d: return 3 * pbs;
    case QOpKind::QuantizeInput:
    case QOpKind::Lookup:
    case QOpKind::Flatten: return 0;
  }
  return 0;
}

}  // namespace

CircuitStatistics make_statistics(const FheProgram& program) {
  const fhe::ParameterSet& params = program.params;
  const QuantizedCircuit& circuit = program.circuit;
  const PbsAccount account = make_pbs_account(circuit);
  CircuitStatistics s;
  s.parameter_set = params.name;
  s.params = params;
  s.pbs = account.total;
  s.pbs_by_precision = account.by_bits;
  s.keyswitches = account.total;  // each PBS starts with a key switch to the small key
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const QNode& n = circuit.nodes[v];
    NodeStatistics node{n.name, qop_name(n.op)};
    if (const PbsSite* site = program.site_of(static_cast<QValueId>(v))) {
      node.pbs = site->count;
      node.precision_bits = site->precision_bits;
      node.p_error = site->p_error;
      node.target_p_error = site->target_p_error;
      node.norm2 = site->norm2;
      node.partition = site->partition;
      s.max_pbs_p_error = std::max(s.max_pbs_p_error, site->p_error);
    }
    node.linear_ops = linear_ops(n, node.pbs);
    s.linear_ops += node.linear_ops;
    s.nodes.push_back(node);
  }
  for (const fhe::ParameterSet& set : program.partitions) {
    PartitionStatistics part{set};
    part.bootstrap_key_bytes = fhe::bootstrap_key_words(set) * sizeof(double);
    part.keyswitch_key_bytes = fhe::keyswitch_key_words(set) * sizeof(fhe::Torus);
    // As the client sends them: bodies only, masks from two 16-byte seeds.
    part.compressed_key_bytes =
        (fhe::compressed_bootstrap_key_words(set) + fhe::compressed_keyswitch_key_words(set)) * sizeof(fhe::Torus) + 32;
    // Toy sets have no cost in the optimizer's table.
    part.cost = set.insecure_for_tests ? 0 : fhe::parameter_set_cost(set);
    s.partitions.push_back(part);
  }
  for (const PbsSite& site : program.pbs_sites)
    s.partitions[static_cast<std::size_t>(site.partition)].pbs += site.count;
  for (PartitionStatistics& part : s.partitions) {
    part.cost_units = static_cast<double>(part.pbs) * part.cost;
    s.bootstrap_key_bytes += part.bootstrap_key_bytes;
    s.keyswitch_key_bytes += part.keyswitch_key_bytes;
    s.compressed_key_bytes += part.compressed_key_bytes;
    s.cost_units += part.cost_units;
  }
  const std::uint64_t n = params.lwe_dimension.value, big = program.big_dimension().value;
  s.big_ciphertext_bytes = (big + 1) * sizeof(fhe::Torus);
  s.small_ciphertext_bytes = (n + 1) * sizeof(fhe::Torus);
  s.input_ciphertexts = static_cast<std::uint64_t>(element_count(circuit.nodes.front().shape));
  s.output_ciphertexts = static_cast<std::uint64_t>(element_count(circuit.node(circuit.output).shape));
  s.input_bytes = s.input_ciphertexts * sizeof(fhe::Torus) + 16;  // fhe::SeededLweBatch: bodies and seed
  s.output_bytes = s.output_ciphertexts * s.big_ciphertext_bytes;
  s.requested_p_error = program.requested_p_error;
  s.p_error_bits = program.p_error_bits;
  s.circuit_p_error = program.circuit_p_error;
  s.output_p_error = program.output.p_error;
  s.output_noise_std = program.output.noise_std;
  s.output_bound = program.output.bound;
  s.output_bound_proven = program.output.proven;
  s.parameter_set_cost = s.partitions.front().cost;
  s.equivalent_pbs = s.parameter_set_cost > 0 ? s.cost_units / s.parameter_set_cost : static_cast<double>(s.pbs);
  return s;
}

}  // namespace veil::compiler
