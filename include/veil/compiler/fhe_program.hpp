#pragma once
// The FHE compiler: lowers a QuantizedCircuit to a program over LWE ciphertexts and
// chooses its parameter set.
//
// Encoding. Every value of the circuit is a tensor of integers q; each element is one LWE
// ciphertext under the big key (k*N) whose phase is q * 2^exponent (mod 2^64) plus noise.
// Linear nodes (IntConv2d, IntLinear, Combine, SumPool2d, Flatten) are evaluated with
// clear integer weights, each input lifted to the node's exponent by 2^(e_node - e_input)
// (exponents only grow along linear edges), except that a Combine input whose multipliers
// all share the factor 2^t may sit up to t above the node: the node then multiplies it by
// m / 2^(e_input - e_node), still an integer (lifted_weight). A Lookup reads its accumulator at exponent
// 63 - p - shift, so that the PBS's modulus switch drops the `shift` low bits (the
// APPROXIMATE rounding) and reads index = acc / 2^shift + offset on p bits, negacyclically
// modulo 2^(p+1) exactly as nn::quant's lookup semantics; its table's entries sit at the
// Lookup node's own exponent. A MaxPool2d works at its node's exponent: each pairwise
// max2(a, b) = b + L(a - b) lifts a - b to the pair lookup's read exponent and L's outputs
// sit at the node's exponent. Exponents are chosen backwards from the readers: the largest
// exponent every reader can lift from. Values nobody reads with a lookup (the logits) get
// the largest exponent at which their integer range still decodes: the proven range, or the
// calibrated one (QuantizedCircuit::output_decode_bound) when narrower, since the logits' noise
// relative to their real range shrinks with every bit the exponent gains.
//
// Noise. Each value's worst-case variance is tracked as a multiple of two unit variances,
// a PBS output's (V_BR of partition 0's set, the reference) and a fresh encryption's (V_fresh):
// linear nodes add (weight * 2^lift)^2 times their inputs' variances; a PBS output on
// partition j restarts at V_BR(set_j) / V_BR(reference) reference units. Each PBS site then
// reads the equivalent dot-product 2-norm sqrt(variance / V_BR(own set)) for the noise model
// of its own set (veil/fhe/noise_model.hpp), whose key switch and modulus switch terms are
// its own set's too.
//
// Parameters. Uniform (CompileOptions::multi_parameter false): one set for the whole circuit, the cheapest
// (parameter_set_cost) of the vetted sets and the parameter optimizer's set for the hardest site
// (CompileOptions::optimized_sets), whose N holds every lookup's table and on which every PBS
// site's predicted error probability is <= CompileOptions::p_error. InvalidArgument if none
// does. Multi-parameter (the default): each PBS site may run on its own set (a partition, vetted
// or the optimizer's). Every partition shares the circuit's k, N and GLWE noise, hence one GLWE
// secret: every PBS output stays under one big LWE key and the linear
// layers, the client's encryption and decryption are those of one set; each partition brings its
// own small LWE key, key-switching key big -> small and bootstrapping key, so a ciphertext
// crosses partitions with the key switch its reading PBS does anyway (no extra key switch).
// The assignment is the greedy of docs/fhe_compiler.md "Multi-parameter circuits".
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {
struct SimulationSettings;  // integer_executor.hpp
}  // namespace veil::nn::quant

namespace veil::compiler {

using nn::quant::QValueId;

/// A multi-parameter assignment recorded from an earlier compile: the sets by registry name
/// (partition 0 first) and each PBS site's partition, in site (circuit) order.
struct PinnedPartitions {
  std::vector<std::string> sets;
  std::vector<int> site_partition;
};

struct CompileOptions {
  /// Largest predicted error probability allowed for any single PBS (the reference's
  /// p_error; 2^-40 for circuits that must decrypt exactly).
  double p_error = 0.05;
  /// Per-site targets instead of p_error, by PBS site node name (a Lookup or MaxPool2d node),
  /// each in (0, 1): a site whose misreads the network tolerates may take a looser target and so
  /// a cheaper set (at 7 bits, p_error 0.08 fits N = 2048 where 0.05 needs N = 4096). InvalidArgument
  /// naming a node that is not a PBS site.
  std::map<std::string, double> p_error_by_node;
  /// 0: p_error (and each per-site target) bounds a site's misreads at its own precision.
  /// B > 0: they bound the misreads of a B-bit read, and a site reading b bits is held to the
  /// same noise, i.e. to nn::quant::p_error_at_bits(p, B, b): a finer read than B keeps the
  /// noise of a B-bit read and loses its rounding error (docs/fhe_compiler.md, "Fine reads").
  int p_error_bits = 0;
  /// Use this set (by registry name, vetted or toy) instead of searching; the compiler still
  /// predicts every site's error probability and fails if one exceeds p_error.
  std::optional<std::string> parameter_set;
  /// Also consider the parameter optimizer's set for the circuit's hardest site
  /// (fhe::optimize_parameter_set under Concrete's cost model, docs/parameters.md) and take it
  /// when it is cheaper than every vetted set that meets the target; false: vetted sets only.
  bool optimized_sets = true;
  /// Toy sets are accepted only with AllowInsecure::for_tests (tests of the runtime).
  fhe::AllowInsecure allow = fhe::AllowInsecure::no;
  /// Let each PBS site run on its own set (a partition: vetted, or with optimized_sets the
  /// optimizer's at the group's k and N) sharing the circuit's k, N and GLWE noise; ignored when
  /// parameter_set forces one set. On by default; false: one set for the whole circuit.
  bool multi_parameter = true;
  /// The most bytes the multi-parameter search may give the evaluation keys, as the server holds
  /// them (every partition's Fourier bootstrapping and key-switching keys), or the uniform set's
  /// keys where they take more (a tight p_error may need N = 16384 and over 2 GB): over it,
  /// partitions merge, the dearer set taking the other's sites, at the least cost, until the keys
  /// fit; when none fits, the uniform set. 0: no limit. The default is a server's 2 GB
  /// (2*10^9 bytes) for one model's keys.
  std::uint64_t max_key_bytes = 2'000'000'000;
  /// Compile exactly this assignment instead of searching (a server recompiling what compile
  /// recorded); the compiler still checks the sets (security gate, one GLWE key, tables) and
  /// fails if a site's predicted p_error exceeds p_error. Not with parameter_set.
  std::optional<PinnedPartitions> pinned_partitions;
};

/// Worst-case noise of one value, in units of the two unit variances.
struct NoiseBound {
  double bootstrap = 0;  // multiple of the reference PBS output variance V_BR(partitions[0])
  double fresh = 0;      // multiple of a fresh big-key encryption's variance V_fresh
};

/// How one value of the circuit sits in ciphertexts.
struct ValueEncoding {
  int exponent = 0;  // phase = q * 2^exponent (mod 2^64)
  NoiseBound noise;  // worst element of the tensor
};

/// A group of identical PBS: a Lookup node's lookups, or a MaxPool2d node's pairwise maxes.
struct PbsSite {
  QValueId node = -1;
  int precision_bits = 0;     // p read by the PBS (the lookup's `bits`)
  int read_exponent = 0;      // 63 - p - shift: the exponent the accumulator is read at
  int output_exponent = 0;    // exponent of the table's entries
  NoiseBound input_noise;     // worst noise of the phase the PBS reads (after its lift)
  double norm2 = 0;           // equivalent dot-product 2-norm on the chosen set
  double p_error = 0;         // predicted error probability of one PBS (box centre)
  double target_p_error = 0;  // what p_error must not exceed (CompileOptions' p_error or the site's own)
  std::uint64_t count = 0;    // PBS per image
  int partition = 0;          // index into FheProgram::partitions: the set its PBS runs on
};

/// The decoding of the circuit's output (the logits).
struct OutputDecoding {
  int exponent = 0;        // phase = q * 2^exponent
  std::int64_t bound = 0;  // |q| the decoding holds: proven from the weights, or the circuit's
                           // output_decode_bound (calibration x margin) when that is smaller
  bool proven = true;      // bound holds for every input (else an input beyond it wraps)
  double p_error = 0;      // probability that one output element decodes wrongly
  double noise_std = 0;    // std dev of the decoded value's noise, in output integers
};

struct FheProgram {
  nn::quant::QuantizedCircuit circuit;
  fhe::ParameterSet params;                   // partitions[0]: the input's key and the noise reference
  std::vector<fhe::ParameterSet> partitions;  // the sets the PBS sites run on (one in uniform mode)
  std::vector<ValueEncoding> encodings;       // one per circuit value (node)
  std::vector<PbsSite> pbs_sites;             // circuit order
  OutputDecoding output;
  double requested_p_error = 0;
  int p_error_bits = 0;  // CompileOptions::p_error_bits: the read precision requested_p_error is stated at
  /// Probability that at least one PBS of one image errs (1 - prod (1 - p)^count).
  double circuit_p_error = 0;

  const PbsSite* site_of(QValueId node) const;  // nullptr for nodes without PBS
  /// k·N of the widest partition's GLWE key. Partitions' keys are nested (docs/parameters.md):
  /// every value is stored under this key, a narrower partition's outputs padded with zeros.
  fhe::LweDimension big_dimension() const;
};

/// The integer a linear node at exponent `to` multiplies an input at exponent `from` by, for
/// the clear weight w, mod 2^64: w * 2^(to - from), or w / 2^(from - to) when the input sits
/// above the node (exact: the compiler places it there only when every weight on it has that
/// factor). InvalidArgument naming `what` for an inexact shift or |to - from| > 63.
std::int64_t lifted_weight(std::int64_t w, int from, int to, const std::string& what);

/// Validates the circuit, assigns encodings, tracks noise, chooses the parameter set.
/// Throws InvalidArgument (no set fits, a lookup too wide for every set, an encoding that
/// cannot hold a value) or SecurityError (a toy set without AllowInsecure::for_tests).
FheProgram compile_program(nn::quant::QuantizedCircuit circuit, const CompileOptions& options = {});

/// Per-node error probabilities for nn::quant::SimulationSettings::p_error_by_node, so that the
/// simulation draws misreads at the rates the compiled program predicts.
std::vector<std::pair<std::string, double>> simulation_p_errors(const FheProgram& program);

/// Sets a simulation's per-node error probabilities (simulation_p_errors) and output noise from
/// the program, so that it draws misreads and output noise as the program predicts.
void simulate_as_compiled(const FheProgram& program, nn::quant::SimulationSettings& simulation);

}  // namespace veil::compiler
