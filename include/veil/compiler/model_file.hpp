#pragma once
// The server's model: a QuantizedCircuit (integer weights, tables' functions, shapes,
// scales) in a versioned, validated binary file, so that the model is quantized once and a
// server compiles the same program from it every time (compile_program is deterministic).
// Envelope: magic "VEIL", kind "QCIR", version, payload length, payload, SHA-256 of
// everything before it (veil/common/envelope.hpp, as veil::fhe's files). Loaders validate every
// count and size before allocating, run validate_circuit, and throw FormatError naming what
// is wrong; savers write path.tmp-<random> and rename it (never a half-written file).
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "veil/common/envelope.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::compiler {

inline constexpr std::uint16_t kModelFormatVersion = 2;
/// The model file's kind: loaders read version kModelFormatVersion only.
inline constexpr EnvelopeKind kModelFileKind{"QCIR", "model file", kModelFormatVersion, kModelFormatVersion};

/// The largest payload any loader accepts: 4 GiB, 45 times ResNet-18's (~94 MB: 11.7 M weights).
inline constexpr std::uint64_t kMaxModelPayloadBytes = std::uint64_t{1} << 32;

/// The payload size save_quantized_circuit writes for `circuit`: the exact limit for a loader that
/// knows which model to expect (veil_fhe run reads it from compile_options.json).
std::uint64_t model_payload_bytes(const nn::quant::QuantizedCircuit& circuit);

/// Loaders refuse a header declaring more than `max_payload_bytes` before reading the payload (a
/// pipe cannot be measured beforehand; a seekable file is also refused when it holds less).
void save_quantized_circuit(const nn::quant::QuantizedCircuit& circuit, std::ostream& out);
nn::quant::QuantizedCircuit load_quantized_circuit(std::istream& in,
                                                   std::uint64_t max_payload_bytes = kMaxModelPayloadBytes);
void save_quantized_circuit_file(const nn::quant::QuantizedCircuit& circuit, const std::filesystem::path& path);
nn::quant::QuantizedCircuit load_quantized_circuit_file(const std::filesystem::path& path,
                                                        std::uint64_t max_payload_bytes = kMaxModelPayloadBytes);

/// 64 hex digits: SHA-256 of the circuit's serialized payload. Client specs carry it so
/// that a server refuses ciphertexts made for another model.
std::string circuit_fingerprint(const nn::quant::QuantizedCircuit& circuit);

}  // namespace veil::compiler
