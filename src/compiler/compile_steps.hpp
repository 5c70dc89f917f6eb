#pragma once
// The steps of compile_program (veil/compiler/fhe_program.hpp), in the order it runs them.
// Private to the compiler layer; tests check each step on hand-built circuits.
#include <cstdint>
#include <string>
#include <vector>

#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::compiler::detail {

/// The modulus switch of every set the compiler asks the parameter optimizer for: the centred one
/// halves the switch's variance at no cost to the PBS (docs/parameters.md, "Centred modulus
/// switch"), so its sets are never dearer. Vetted sets keep their own (standard) switch.
inline constexpr fhe::ModulusSwitchKind kOptimizerModulusSwitch = fhe::ModulusSwitchKind::CenteredMean;

/// The largest exponent at which every integer of [-bound, bound] decodes with a sign bit and
/// one bit of noise margin: 64 - (ceil(log2(bound + 1)) + 2). InvalidArgument naming `node`
/// when it would be negative.
int decodable_exponent(std::int64_t bound, const std::string& node);

/// The exponent a lookup reads its accumulator at: 63 - bits - shift.
int read_exponent(const nn::quant::LookupAttrs& lookup);

/// The largest t such that 2^t divides every nonzero multiplier (0 when all are zero), at most 63.
int shared_twos(const std::vector<std::int64_t>& multipliers);

/// Backwards over the nodes: each value gets the smallest exponent its readers need (a linear
/// reader or a max-pool its own exponent, a Combine e_node + t for an input slot whose
/// multipliers share 2^t, capped at 63; a lookup its read exponent); a max-pool is also
/// capped by its pair lookup's read exponent, the output by output_exponent. InvalidArgument
/// for a value nobody reads (other than the output), a negative exponent or a lift outside [0, 63).
std::vector<int> assign_exponents(const nn::quant::QuantizedCircuit& circuit, int output_exponent);

/// Forward noise per value (worst element) and, for each Lookup and MaxPool2d node, the noise
/// of the phase its PBS reads (lifted accumulator; a max-pool's worst lifted difference).
struct NoiseAnalysis {
  std::vector<NoiseBound> values;
  std::vector<NoiseBound> reads;  // zero for nodes without PBS
};
/// Every PBS output restarts at pbs_unit[node] reference units of V_BR (1 for every node in the
/// first overload); row_norms[node] is a convolution's or linear's largest squared row norm
/// (weight_row_norms), computed once for the many assignments the multi-parameter search tries.
NoiseAnalysis track_noise(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents);
NoiseAnalysis track_noise(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents,
                          const std::vector<double>& row_norms, const std::vector<double>& pbs_unit);
std::vector<double> weight_row_norms(const nn::quant::QuantizedCircuit& circuit);

/// One site per node with PBS (counts from nn::quant::make_pbs_account), circuit order, each
/// with its target p_error (options.p_error_by_node, else options.p_error; InvalidArgument for a
/// target naming no site or outside (0, 1)); norm2 and p_error are left for evaluate_sites.
std::vector<PbsSite> make_pbs_sites(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents,
                                    const NoiseAnalysis& noise, const CompileOptions& options);

/// Whether every site's p_error is within its target.
bool sites_meet_targets(const std::vector<PbsSite>& sites);

/// Variance of a value with noise `noise` on `params` (torus scale).
double noise_variance(const fhe::ParameterSet& params, const NoiseBound& noise);

/// Whether `params`' polynomial holds a p-bit table with >= 2 coefficients per box.
bool holds_table(const fhe::ParameterSet& params, int precision_bits);

/// Fills norm2 and p_error of every site for `params` (every table must fit).
void evaluate_sites(const fhe::ParameterSet& params, std::vector<PbsSite>& sites);

/// The same for each site on its own partition's set: its read variance (reference units of
/// partitions[0]'s V_BR, fresh encryptions under the shared GLWE noise) over its own set's V_BR
/// gives its norm2, its own set's noise model its p_error.
void evaluate_sites(const std::vector<fhe::ParameterSet>& partitions, std::vector<PbsSite>& sites);

/// Probability that one element of `output` decodes wrongly: erfc(2^(e-1) / sqrt(2 V)).
double output_p_error(const fhe::ParameterSet& reference, const ValueEncoding& output);

/// Sets of a multi-parameter program and each site's index into them.
struct Partitioning {
  std::vector<fhe::ParameterSet> sets;
  std::vector<int> site_partition;  // one per site, in site order
};

/// Per node, a PBS output's variance in units of partitions[0]'s V_BR (1 for nodes without PBS).
std::vector<double> partition_units(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                                    const std::vector<fhe::ParameterSet>& partitions);

/// Per node, the k·N of the GLWE key its value is under when partitions have nested keys of
/// different k·N (docs/parameters.md): the input under partition 0's, a lookup's output under its
/// partition's, a max-pool's under the wider of its input's and its partition's (it adds its input
/// back), any other node under the widest of its inputs'. Values are stored under the widest key,
/// zero-padded; the coefficients beyond a value's own key are exactly zero.
std::vector<std::size_t> value_key_dimensions(const nn::quant::QuantizedCircuit& circuit,
                                              const std::vector<PbsSite>& sites,
                                              const std::vector<fhe::ParameterSet>& partitions);

/// The first site whose input is under a wider key than its own partition's, or nullptr. Such a
/// site would need a key switch between GLWE keys, which veil does not do: the assignment is
/// infeasible. (A site on a narrower key reads the prefix of its input, and runs on its own set.)
const PbsSite* site_reading_wider_key(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                                      const std::vector<fhe::ParameterSet>& partitions);

/// The multi-parameter assignment (partition_choice.cpp): the cheapest by sum of PBS x cost the
/// greedy finds, every site at p_error <= options.p_error and the output's p_error <=
/// output_target; `uniform` (one partition) when nothing cheaper is found.
Partitioning choose_partitions(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents,
                               const std::vector<PbsSite>& sites, const fhe::ParameterSet& uniform,
                               double output_target, const CompileOptions& options);

/// options.pinned_partitions checked: every set registered and passing the security gate,
/// sharing partition 0's GLWE key and holding its sites' tables, one index in range per site.
/// InvalidArgument naming what is wrong.
Partitioning pinned_partitions(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                               const CompileOptions& options);

/// The named set (checked by the security gate) or the cheapest vetted set meeting
/// options.p_error at every site; InvalidArgument naming the worst site otherwise.
fhe::ParameterSet choose_parameter_set(const nn::quant::QuantizedCircuit& circuit, std::vector<PbsSite> sites,
                                       const CompileOptions& options);

}  // namespace veil::compiler::detail
