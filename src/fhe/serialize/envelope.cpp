#include "fhe/serialize/envelope.hpp"

#include <array>

namespace veil::fhe::serialize {

std::uint16_t read_header(ByteReader& reader, const EnvelopeKind& expected, const LoadLimits& limits) {
  static constexpr std::array kKinds{kParameterSetKind, kClientKeyKind, kServerKeyKind, kCiphertextBatchKind,
                                     kSeededLweBatchKind};
  return read_envelope_header(reader, expected, limits.max_payload_bytes, kKinds);
}

}  // namespace veil::fhe::serialize
