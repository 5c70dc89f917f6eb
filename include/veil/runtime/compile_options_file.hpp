#pragma once
// compile_options.json: how the server compiles model.qcir, recorded at compile time so that
// every later run compiles the same program (same p_error target, same parameter set even if
// the registry's cheapest choice changes), tied to the model by its fingerprint.
#include <cstdint>
#include <string>
#include <vector>

#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::runtime {

/// Version 3 added a "checksum" (the SHA-256 of its content, as the client spec) and the model's
/// payload size, version 4 "p_error_bits"; older versions are refused by their number (compile again).
inline constexpr int kCompileOptionsVersion = 4;

struct RecordedCompileOptions {
  std::string program_fingerprint;  // compiler::circuit_fingerprint of the model
  /// compiler::model_payload_bytes of the model: the exact limit `run` loads model.qcir with, so a
  /// file or pipe declaring more is refused from its header.
  std::uint64_t model_payload_bytes = 0;
  double p_error = 0;                       // CompileOptions::p_error
  std::vector<std::string> parameter_sets;  // the sets the compiler chose, partition 0 first
  std::vector<int> site_partitions;         // each PBS site's partition, circuit order
  int p_error_bits = 0;                     // CompileOptions::p_error_bits
};

/// The record of `program`, compiled from a circuit with `fingerprint` at target p_error.
RecordedCompileOptions record_compile_options(const compiler::FheProgram& program, const std::string& fingerprint);

/// JSON with "format_version" and "checksum", in the one form parse accepts. Parse throws
/// FormatError naming the missing or bad field, the checksum when the content does not hash to it,
/// or the first byte that differs from that form (a flipped byte, a hand edit).
std::string compile_options_json(const RecordedCompileOptions& options);
RecordedCompileOptions parse_compile_options(const std::string& json);

/// CompileOptions that reproduce the recorded program (the set, or the partitions, pinned).
compiler::CompileOptions to_compile_options(const RecordedCompileOptions& options, fhe::AllowInsecure allow);

}  // namespace veil::runtime
