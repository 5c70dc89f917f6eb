#pragma once
// compile_options.json: how the server compiles model.qcir, recorded at compile time so that
// every later run compiles the same program (same p_error target, same parameter set even if
// the registry's cheapest choice changes), tied to the model by its fingerprint.
#include <string>

#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::runtime::cli {

inline constexpr int kCompileOptionsVersion = 1;

struct RecordedCompileOptions {
  std::string program_fingerprint;  // compiler::circuit_fingerprint of the model
  double p_error = 0;               // CompileOptions::p_error
  std::string parameter_set;        // the set the compiler chose
};

/// The record of `program`, compiled from a circuit with `fingerprint` at target p_error.
RecordedCompileOptions record_compile_options(const compiler::FheProgram& program, const std::string& fingerprint);

/// JSON with "format_version"; parse throws FormatError naming the missing or bad field.
std::string compile_options_json(const RecordedCompileOptions& options);
RecordedCompileOptions parse_compile_options(const std::string& json);

/// CompileOptions that reproduce the recorded program (the set pinned).
compiler::CompileOptions to_compile_options(const RecordedCompileOptions& options, fhe::AllowInsecure allow);

}  // namespace veil::runtime::cli
