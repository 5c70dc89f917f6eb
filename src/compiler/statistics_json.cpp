// --export-statistics: the CircuitStatistics fields under their own names (docs/fhe_compiler.md).
#include <nlohmann/json.hpp>

#include "veil/compiler/statistics.hpp"

namespace veil::compiler {
namespace {

nlohmann::ordered_json parameter_set_json(const fhe::ParameterSet& p) {
  return {{"name", p.name},
          {"source", p.source},
          {"security_bits", p.security_bits},
          {"precision_bits", p.precision_bits},
          {"log2_norm2", p.log2_norm2},
          {"target_p_error", p.target_p_error},
          {"lwe_dimension", p.lwe_dimension.value},
          {"glwe_dimension", p.glwe_dimension.value},
          {"polynomial_size", p.polynomial_size.value},
          {"lwe_noise_std_dev", p.lwe_noise.std_dev},
          {"glwe_noise_std_dev", p.glwe_noise.std_dev},
          {"pbs_base_log", p.pbs_base_log.value},
          {"pbs_level", p.pbs_level.value},
          {"ks_base_log", p.ks_base_log.value},
          {"ks_level", p.ks_level.value},
          {"modulus_switch", p.modulus_switch_kind == fhe::ModulusSwitchKind::CenteredMean ? "centred" : "standard"},
          {"insecure_for_tests", p.insecure_for_tests}};
}

}  // namespace

std::string statistics_json(const CircuitStatistics& s) {
  nlohmann::ordered_json by_precision = nlohmann::ordered_json::object();
  for (const auto& [bits, pbs] : s.pbs_by_precision) by_precision[std::to_string(bits)] = pbs;
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const NodeStatistics& n : s.nodes) {
    nodes.push_back({{"name", n.name},
                     {"op", n.op},
                     {"pbs", n.pbs},
                     {"precision_bits", n.precision_bits},
                     {"p_error", n.p_error},
                     {"target_p_error", n.target_p_error},
                     {"norm2", n.norm2},
                     {"linear_ops", n.linear_ops},
                     {"partition", n.partition}});
  }
  nlohmann::ordered_json partitions = nlohmann::ordered_json::array();
  for (const PartitionStatistics& p : s.partitions) {
    partitions.push_back({{"parameter_set", parameter_set_json(p.params)},
                          {"pbs", p.pbs},
                          {"cost", p.cost},
                          {"cost_units", p.cost_units},
                          {"bootstrap_key_bytes", p.bootstrap_key_bytes},
                          {"keyswitch_key_bytes", p.keyswitch_key_bytes},
                          {"compressed_key_bytes", p.compressed_key_bytes}});
  }
  const nlohmann::ordered_json doc = {{"parameter_set", parameter_set_json(s.params)},
                                      {"pbs", s.pbs},
                                      {"pbs_by_precision", by_precision},
                                      {"keyswitches", s.keyswitches},
                                      {"linear_ops", s.linear_ops},
                                      {"nodes", nodes},
                                      {"partitions", partitions},
                                      {"bootstrap_key_bytes", s.bootstrap_key_bytes},
                                      {"keyswitch_key_bytes", s.keyswitch_key_bytes},
                                      {"compressed_key_bytes", s.compressed_key_bytes},
                                      {"big_ciphertext_bytes", s.big_ciphertext_bytes},
                                      {"small_ciphertext_bytes", s.small_ciphertext_bytes},
                                      {"input_ciphertexts", s.input_ciphertexts},
                                      {"output_ciphertexts", s.output_ciphertexts},
                                      {"input_bytes", s.input_bytes},
                                      {"output_bytes", s.output_bytes},
                                      {"requested_p_error", s.requested_p_error},
                                      {"p_error_bits", s.p_error_bits},
                                      {"max_pbs_p_error", s.max_pbs_p_error},
                                      {"circuit_p_error", s.circuit_p_error},
                                      {"output_p_error", s.output_p_error},
                                      {"output_noise_std", s.output_noise_std},
                                      {"output_bound", s.output_bound},
                                      {"output_bound_proven", s.output_bound_proven},
                                      {"parameter_set_cost", s.parameter_set_cost},
                                      {"cost_units", s.cost_units},
                                      {"equivalent_pbs", s.equivalent_pbs}};
  return doc.dump(2) + "\n";
}

}  // namespace veil::compiler
