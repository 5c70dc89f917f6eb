#pragma once
// The fhe formats' kinds in veil's one envelope (veil/common/envelope.hpp; docs/serialization.md).
#include <cstdint>
#include <string_view>

#include "veil/common/envelope.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe::serialize {

// Key files of version 1 hold one parameter set and still load. Ciphertexts of version 1 had no
// context tag and are refused: they are made again rather than kept.
inline constexpr std::string_view kUntaggedNote = "version 1 carries no context tag: make it again";
inline constexpr EnvelopeKind kParameterSetKind{"PSET", "parameter set", 1, kSerializationFormatVersion};
inline constexpr EnvelopeKind kClientKeyKind{"CKEY", "client key", 1, kKeyFormatVersion};
/// Written at version 3 (compressed keys), or at kKeyFormatVersion by a process holding expanded keys.
inline constexpr EnvelopeKind kServerKeyKind{"SKEY", "server key", 1, kCompressedServerKeyFormatVersion};
inline constexpr EnvelopeKind kCiphertextBatchKind{"CTXT", "ciphertext batch", kCiphertextFormatVersion,
                                                   kCiphertextFormatVersion, kUntaggedNote};
inline constexpr EnvelopeKind kSeededLweBatchKind{"SLWE", "seeded LWE batch", kCiphertextFormatVersion,
                                                  kCiphertextFormatVersion, kUntaggedNote};

/// read_envelope_header under `limits`, naming the fhe kind found when it is another one.
std::uint16_t read_header(ByteReader& reader, const EnvelopeKind& expected, const LoadLimits& limits);

}  // namespace veil::fhe::serialize
