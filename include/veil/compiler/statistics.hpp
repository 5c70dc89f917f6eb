#pragma once
// What a compiled program costs and risks, per image: the figures of --export-statistics.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "veil/compiler/fhe_program.hpp"

namespace veil::compiler {

struct NodeStatistics {
  std::string name;              // QNode name
  std::string op;                // qop_name
  std::uint64_t pbs = 0;         // PBS (each one key switch + one blind rotation)
  int precision_bits = 0;        // p of its PBS (0 without)
  double p_error = 0;            // predicted per PBS
  double target_p_error = 0;     // what the compiler held it to (0 without PBS)
  double norm2 = 0;              // equivalent dot-product 2-norm its PBS reads (0 without)
  std::uint64_t linear_ops = 0;  // ciphertext multiply-adds (scalar * ciphertext + ciphertext)
  int partition = -1;            // index into CircuitStatistics::partitions (-1 without PBS)
};

/// One parameter set of the program and the PBS that run on it.
struct PartitionStatistics {
  fhe::ParameterSet params;
  std::uint64_t pbs = 0;
  int cost = 0;                            // fhe::parameter_set_cost of one PBS (0 for toy sets)
  double cost_units = 0;                   // pbs * cost
  std::uint64_t bootstrap_key_bytes = 0;   // its own bootstrapping key, Fourier domain
  std::uint64_t keyswitch_key_bytes = 0;   // its own key switching key (big key -> its small key)
  std::uint64_t compressed_key_bytes = 0;  // both, as the client sends them (fhe::CompressedServerKey)
};

struct CircuitStatistics {
  std::string parameter_set;  // name of partitions[0]'s set (the big key's); the full set is in `params`
  fhe::ParameterSet params;
  std::uint64_t pbs = 0;
  std::map<int, std::uint64_t> pbs_by_precision;
  std::uint64_t keyswitches = 0;
  std::uint64_t linear_ops = 0;
  std::vector<NodeStatistics> nodes;            // circuit order
  std::vector<PartitionStatistics> partitions;  // one per set (one in uniform mode)
  std::uint64_t bootstrap_key_bytes = 0;        // Fourier domain, as held in memory; all partitions
  std::uint64_t keyswitch_key_bytes = 0;        // all partitions
  std::uint64_t compressed_key_bytes = 0;       // all evaluation keys as sent: seeded masks, standard domain
  std::uint64_t big_ciphertext_bytes = 0;       // one LWE ciphertext under the big key
  std::uint64_t small_ciphertext_bytes = 0;     // one under the small key
  std::uint64_t input_ciphertexts = 0;          // client -> server, per image
  std::uint64_t output_ciphertexts = 0;         // server -> client
  std::uint64_t input_bytes = 0;   // seeded: one 8-byte body per ciphertext + the 16-byte seed (no file header)
  std::uint64_t output_bytes = 0;  // full big-key ciphertexts
  double requested_p_error = 0;
  int p_error_bits = 0;             // the read precision requested_p_error is stated at (0: each site's own)
  double max_pbs_p_error = 0;       // at each site's own precision
  double circuit_p_error = 0;       // at least one PBS errs in one image
  double output_p_error = 0;        // one output element decodes wrongly
  double output_noise_std = 0;      // std dev of a decoded output's noise, in output integers
  std::int64_t output_bound = 0;    // |output| the decoding holds
  bool output_bound_proven = true;  // for every input (else calibration x margin)
  int parameter_set_cost = 0;       // fhe::parameter_set_cost of one PBS on `params` (0 for toy sets)
  double cost_units = 0;            // sum over partitions of pbs * cost (the optimizer's unit; no
                                    // extra key switches: partitions share the big key)
  double equivalent_pbs = 0;        // cost_units / parameter_set_cost: PBS on `params` of the same cost,
                                    // for time estimates from `params`' measured PBS rate
};

CircuitStatistics make_statistics(const FheProgram& program);

/// The statistics as a JSON document (stable keys, documented in docs/fhe_compiler.md).
std::string statistics_json(const CircuitStatistics& stats);

/// A readable multi-line summary (parameter set, PBS by precision, top nodes, sizes, risks).
std::string statistics_summary(const CircuitStatistics& stats);

}  // namespace veil::compiler
