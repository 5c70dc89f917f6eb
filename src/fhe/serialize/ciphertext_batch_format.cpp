#include <istream>
#include <ostream>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

using namespace serialize;

namespace {

// Key kind byte, LWE dimension, ciphertext count.
constexpr std::uint64_t kBatchHeaderBytes = 1 + 8 + 8;

}  // namespace

std::uint64_t ciphertext_batch_payload_bytes(const ParameterSet& params, LweKeyKind kind, std::uint64_t count) {
  return parameter_set_record_bytes(params) + kKeyIdBytes + kContextTagBytes + kBatchHeaderBytes +
         8 * count * (lwe_dimension_for(params, kind).value + 1);
}

void save_ciphertext_batch(const CiphertextBatch& batch, std::ostream& out) {
  const ParameterSet& p = parameter_set_by_name(batch.parameter_set_name);
  const LweDimension expected = lwe_dimension_for(p, batch.key_kind);
  const LweCiphertextArray& cts = batch.ciphertexts;
  if (cts.dimension() != expected || cts.data().size() != cts.size() * (expected.value + 1)) {
    throw InvalidArgument("ciphertext batch: LWE dimension " + std::to_string(cts.dimension().value) +
                          ", ciphertexts under the " + key_kind_name(batch.key_kind) + " of parameter set '" + p.name +
                          "' have dimension " + std::to_string(expected.value));
  }
  ByteWriter writer(out);
  write_envelope_header(writer, kCiphertextBatchKind, ciphertext_batch_payload_bytes(p, batch.key_kind, cts.size()));
  write_parameter_set_record(writer, p);
  write_key_id(writer, batch.key_id);
  write_context_tag(writer, batch.context);
  write_key_kind(writer, batch.key_kind);
  writer.u64(expected.value);
  writer.u64(cts.size());
  writer.u64_array(cts.data());
  writer.checksum();
}

CiphertextBatch load_ciphertext_batch(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "ciphertext batch");
  read_header(reader, kCiphertextBatchKind, limits);
  const ParameterSet& params = read_parameter_set_record(reader);
  CiphertextBatch batch;
  batch.parameter_set_name = params.name;
  batch.key_id = read_key_id(reader);
  batch.context = read_context_tag(reader);
  batch.key_kind = read_key_kind(reader);
  const LweDimension n = read_lwe_dimension(reader, params, batch.key_kind);
  const std::uint64_t count = reader.u64("ciphertext count");
  // Divide rather than multiply: count * (n + 1) may overflow for a hostile count.
  if (count > reader.bytes_left().value_or(0) / 8 / (n.value + 1)) {
    reader.fail("size mismatch: " + std::to_string(count) + " ciphertexts of " + std::to_string(8 * (n.value + 1)) +
                " bytes do not fit in the " + std::to_string(reader.bytes_left().value_or(0)) + " payload bytes left");
  }
  batch.ciphertexts = LweCiphertextArray(count, n);
  reader.u64_array(batch.ciphertexts.data(), "ciphertexts");
  read_envelope_trailer(reader);
  return batch;
}

CiphertextBatch load_ciphertext_batch(std::istream& in, const IdentifiedServerKey& expected_key,
                                      const LoadLimits& limits) {
  CiphertextBatch batch = load_ciphertext_batch(in, limits);
  require_same_key(batch, expected_key);
  return batch;
}

}  // namespace veil::fhe
