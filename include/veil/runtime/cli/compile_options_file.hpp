#pragma once
// compile_options.json: how the server compiles model.qcir, recorded at compile time so that
// every later run compiles the same program (same p_error target, same parameter set even if
// the registry's cheapest choice changes), tied to the model by its fingerprint.
#include <string>
#include <vector>

#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::runtime::cli {

/// Version 2 records every partition's set and each PBS site's partition; version 1 (one
/// "parameter_set") still loads as one set.
inline constexpr int kCompileOptionsVersion = 2;

struct RecordedCompileOptions {
  std::string program_fingerprint;  // compiler::circuit_fingerprint of the model
  double p_error = 0;               // CompileOptions::p_error
  std::vector<std::string> parameter_sets;  // the sets the compiler chose, partition 0 first
  std::vector<int> site_partitions;         // each PBS site's partition, circuit order
};

/// The record of `program`, compiled from a circuit with `fingerprint` at target p_error.
RecordedCompileOptions record_compile_options(const compiler::FheProgram& program, const std::string& fingerprint);

/// JSON with "format_version"; parse throws FormatError naming the missing or bad field.
std::string compile_options_json(const RecordedCompileOptions& options);
RecordedCompileOptions parse_compile_options(const std::string& json);

/// CompileOptions that reproduce the recorded program (the set, or the partitions, pinned).
compiler::CompileOptions to_compile_options(const RecordedCompileOptions& options, fhe::AllowInsecure allow);

}  // namespace veil::runtime::cli
