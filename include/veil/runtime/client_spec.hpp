#pragma once
// What a client needs to know about a compiled program, and nothing about its weights:
// the parameter set, how to quantize and encode an input image, how to decode the logits.
// The server publishes it (JSON, versioned); the client generates keys and encrypts with it.
#include <cstdint>
#include <filesystem>
#include <string>

#include "veil/common/tensor.hpp"
#include "veil/compiler/fhe_program.hpp"

namespace veil::runtime {

inline constexpr int kClientSpecVersion = 1;

struct ClientSpec {
  std::string program_fingerprint;   // compiler::circuit_fingerprint of the model
  std::string parameter_set;         // registry name
  Shape input_shape;                 // per image, e.g. [3, 224, 224]
  nn::quant::QuantizeInputAttrs input_quantization;
  int input_exponent = 0;            // phase = q * 2^exponent
  Shape output_shape;                // e.g. [1000]
  nn::quant::QuantScale output_scale;
  int output_exponent = 0;
  std::int64_t output_bound = 0;     // |q| <= bound
};

ClientSpec make_client_spec(const compiler::FheProgram& program);

/// JSON with a "format_version"; parse throws FormatError naming the bad field.
std::string client_spec_json(const ClientSpec& spec);
ClientSpec parse_client_spec(const std::string& json);
void save_client_spec_file(const ClientSpec& spec, const std::filesystem::path& path);
ClientSpec load_client_spec_file(const std::filesystem::path& path);

/// InvalidArgument unless the spec is the one `program` publishes (same fingerprint, set and
/// encodings).
void require_matching_spec(const ClientSpec& spec, const compiler::FheProgram& program);

}  // namespace veil::runtime
