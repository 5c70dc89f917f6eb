#pragma once
// What a client needs to know about a compiled program, and nothing about its weights:
// the parameter set, how to quantize and encode an input image, how to decode the logits.
// The server publishes it (JSON, versioned; runtime::make_client_spec); the client generates keys
// and encrypts with it, knowing nothing of the compiler or the network (this layer links fhe only).
// Its digest binds the ciphertexts to the model: Client::encrypt stamps it on inputs, the
// Server refuses an input of another spec and stamps it on its output, and Client::decrypt
// refuses an output of another spec (docs/fhe_runtime.md, "What is bound to what").
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "veil/common/quantization.hpp"
#include "veil/common/tensor.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::client {

/// Version 3 carries a "checksum" (the hex digest of its content) and lists the parameter sets
/// of every partition; older versions, which had no checksum, are refused by their number.
inline constexpr int kClientSpecVersion = 3;

/// Largest client spec file read: a spec holds a name, two shapes and one scale per output
/// (ResNet-18's is ~30 KB with 1000 outputs), so 1 MiB leaves room for 30,000 outputs.
inline constexpr std::uint64_t kMaxClientSpecBytes = std::uint64_t{1} << 20;

struct ClientSpec {
  std::string program_fingerprint;  // compiler::circuit_fingerprint of the model
  /// Registry names, one per partition of the program; [0] is the set inputs are encrypted and
  /// outputs decrypted on (the shared GLWE key's), the others each add a small key.
  std::vector<std::string> parameter_sets;
  Shape input_shape;  // per image, e.g. [3, 224, 224]
  QuantizeInputAttrs input_quantization;
  int input_exponent = 0;  // phase = q * 2^exponent
  Shape output_shape;      // e.g. [1000]
  QuantScale output_scale;
  int output_exponent = 0;
  std::int64_t output_bound = 0;  // |q| <= bound
};

/// The SHA-256 of the spec's canonical content (its JSON without the checksum, compact): the
/// context tag of every ciphertext made for it, and the "checksum" of its file in hex.
fhe::ContextTag spec_digest(const ClientSpec& spec);

/// JSON with a "format_version" and a "checksum"; parse throws FormatError naming the bad field,
/// or the checksum when the content does not hash to it (a flipped byte, a hand edit).
std::string client_spec_json(const ClientSpec& spec);
ClientSpec parse_client_spec(const std::string& json);
void save_client_spec_file(const ClientSpec& spec, const std::filesystem::path& path);
ClientSpec load_client_spec_file(const std::filesystem::path& path);

/// What each file of the spec's program holds, exactly: fhe's payload sizes for the spec's
/// parameter set and shapes. Loaders given these refuse a file (or a pipe) that declares more
/// before reading it, instead of trusting fhe's generic 64 GiB.
struct SpecLoadLimits {
  fhe::LoadLimits client_key, server_key;
  fhe::LoadLimits input;   // the seeded batch of one image's inputs
  fhe::LoadLimits output;  // the ciphertext batch of its outputs
};
/// FormatError when the spec names an unknown parameter set. The key limits cover every partition.
SpecLoadLimits load_limits(const ClientSpec& spec);

/// The first field (its JSON name, in file order) where `a` and `b` differ, with its value in
/// each as JSON; nullopt when they are the same spec.
struct SpecDifference {
  std::string field, in_a, in_b;
};
std::optional<SpecDifference> first_difference(const ClientSpec& a, const ClientSpec& b);

}  // namespace veil::client
