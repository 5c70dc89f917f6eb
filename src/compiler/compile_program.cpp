// compile_program: ranges -> exponents -> noise -> PBS sites -> parameter set -> error figures.
#include <algorithm>
#include <cmath>
#include <string>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/value_ranges.hpp"

namespace veil::compiler {
namespace {

std::int64_t output_bound(const nn::quant::QuantizedCircuit& circuit) {
  using nn::quant::Int128;
  const nn::quant::IntegerRange r = nn::quant::value_ranges(circuit)[static_cast<std::size_t>(circuit.output)];
  const Int128 bound = std::max(r.hi, -r.lo);
  const Int128 limit = Int128{1} << 62;
  if (bound >= limit) {
    throw InvalidArgument("output '" + circuit.node(circuit.output).name +
                          "': its integers are not proven below 2^62, too wide to decode from a 64-bit phase");
  }
  return static_cast<std::int64_t>(bound);
}

// 1 - prod (1 - p)^count, through log1p/expm1 so that tiny probabilities add up.
double circuit_p_error(const std::vector<PbsSite>& sites) {
  double log_success = 0;
  for (const PbsSite& s : sites) log_success += static_cast<double>(s.count) * std::log1p(-s.p_error);
  return -std::expm1(log_success);
}

}  // namespace

FheProgram compile_program(nn::quant::QuantizedCircuit circuit, const CompileOptions& options) {
  nn::quant::validate_circuit(circuit);
  if (!(options.p_error > 0 && options.p_error <= 1)) {
    throw InvalidArgument("compile options: p_error is " + std::to_string(options.p_error) + ", expected 0 < p <= 1");
  }
  FheProgram program;
  program.output.bound = output_bound(circuit);
  program.output.proven = circuit.output_decode_bound == 0 || circuit.output_decode_bound >= program.output.bound;
  if (!program.output.proven) program.output.bound = circuit.output_decode_bound;
  const std::vector<int> exponents = detail::assign_exponents(
      circuit, detail::decodable_exponent(program.output.bound, circuit.node(circuit.output).name));
  const std::vector<double> row_norms = detail::weight_row_norms(circuit);
  detail::NoiseAnalysis noise =
      detail::track_noise(circuit, exponents, row_norms, std::vector<double>(circuit.nodes.size(), 1.0));
  program.pbs_sites = detail::make_pbs_sites(circuit, exponents, noise, options);
  detail::Partitioning partitioning;
  if (options.pinned_partitions) {
    if (options.parameter_set) throw InvalidArgument("compile options: pinned partitions and a parameter set");
    partitioning = detail::pinned_partitions(circuit, program.pbs_sites, options);
  } else {
    const fhe::ParameterSet uniform = detail::choose_parameter_set(circuit, program.pbs_sites, options);
    partitioning = {{uniform}, std::vector<int>(program.pbs_sites.size(), 0)};
    if (options.multi_parameter && !options.parameter_set) {
      // The output may decode no worse than on the uniform set (or within the target).
      const ValueEncoding out{exponents[static_cast<std::size_t>(circuit.output)],
                              noise.values[static_cast<std::size_t>(circuit.output)]};
      const double output_target = std::max(options.p_error, detail::output_p_error(uniform, out));
      partitioning = detail::choose_partitions(circuit, exponents, program.pbs_sites, uniform, output_target, options);
    }
  }
  if (partitioning.sets.size() > 1) {
    for (std::size_t i = 0; i < program.pbs_sites.size(); ++i) {
      program.pbs_sites[i].partition = partitioning.site_partition[i];
    }
    noise = detail::track_noise(circuit, exponents, row_norms,
                                detail::partition_units(circuit, program.pbs_sites, partitioning.sets));
    for (PbsSite& s : program.pbs_sites) s.input_noise = noise.reads[static_cast<std::size_t>(s.node)];
  }
  program.partitions = partitioning.sets;
  program.params = program.partitions.front();
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) program.encodings.push_back({exponents[v], noise.values[v]});
  detail::evaluate_sites(program.partitions, program.pbs_sites);
  if (options.pinned_partitions) {
    for (const PbsSite& s : program.pbs_sites) {
      if (s.p_error > s.target_p_error) {
        throw InvalidArgument("pinned partitions: site '" + circuit.node(s.node).name + "' has p_error " +
                              std::to_string(s.p_error) + " > target " + std::to_string(s.target_p_error));
      }
    }
  }
  const ValueEncoding& out = program.encodings[static_cast<std::size_t>(circuit.output)];
  program.output.exponent = out.exponent;
  program.output.p_error = detail::output_p_error(program.params, out);
  program.output.noise_std =
      std::ldexp(std::sqrt(detail::noise_variance(program.params, out.noise)), 64 - out.exponent);
  program.requested_p_error = options.p_error;
  program.p_error_bits = options.p_error_bits;
  program.circuit_p_error = circuit_p_error(program.pbs_sites);
  program.circuit = std::move(circuit);
  return program;
}

std::vector<std::pair<std::string, double>> simulation_p_errors(const FheProgram& program) {
  std::vector<std::pair<std::string, double>> result;
  for (const PbsSite& s : program.pbs_sites) result.emplace_back(program.circuit.node(s.node).name, s.p_error);
  return result;
}

void simulate_as_compiled(const FheProgram& program, nn::quant::SimulationSettings& simulation) {
  simulation.p_error_by_node.clear();
  simulation.p_error_bits = 0;  // the rates below are each site's own
  for (const auto& [node, p] : simulation_p_errors(program)) simulation.p_error_by_node[node] = p;
  simulation.output_noise_std = program.output.noise_std;
}

}  // namespace veil::compiler
