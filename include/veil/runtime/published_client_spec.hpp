#pragma once
// The client spec a compiled program publishes (veil/client/client_spec.hpp), and the check that
// a spec on file is that one. Here, on the server side, because only the server knows programs:
// the client layer reads and uses specs without the compiler.
#include "veil/client/client_spec.hpp"
#include "veil/compiler/fhe_program.hpp"

namespace veil::runtime {

/// The parameter sets, input quantization and output decoding of `program`, and its circuit's
/// fingerprint.
client::ClientSpec make_client_spec(const compiler::FheProgram& program);

/// InvalidArgument unless the spec is the one `program` publishes (same fingerprint, set and
/// encodings), naming the first field that differs.
void require_matching_spec(const client::ClientSpec& spec, const compiler::FheProgram& program);

}  // namespace veil::runtime
