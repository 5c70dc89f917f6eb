// The SLWE format: a seeded LWE batch is its parameter set, key id, context tag, key kind, dimension,
// seed and bodies; the masks are not stored (the seed regenerates them).
#include <istream>
#include <ostream>

#include "fhe/serialize/envelope.hpp"
#include "veil/common/file_io.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/seeded_lwe.hpp"

namespace veil::fhe {

using namespace serialize;

namespace {
// Key kind byte, LWE dimension, seed, body count.
constexpr std::uint64_t kSeededHeaderBytes = 1 + 8 + 16 + 8;
}  // namespace

std::uint64_t seeded_lwe_batch_payload_bytes(const ParameterSet& params, std::uint64_t count) {
  return parameter_set_record_bytes(params) + kKeyIdBytes + kContextTagBytes + kSeededHeaderBytes + 8 * count;
}

void save_seeded_lwe_batch(const SeededLweBatch& batch, std::ostream& out) {
  const ParameterSet& p = parameter_set_by_name(batch.parameter_set_name);
  const LweDimension expected = lwe_dimension_for(p, batch.key_kind);
  if (batch.dimension != expected) {
    throw InvalidArgument("seeded LWE batch: LWE dimension " + std::to_string(batch.dimension.value) +
                          ", ciphertexts under the " + key_kind_name(batch.key_kind) + " of parameter set '" + p.name +
                          "' have dimension " + std::to_string(expected.value));
  }
  ByteWriter writer(out);
  write_envelope_header(writer, kSeededLweBatchKind, seeded_lwe_batch_payload_bytes(p, batch.bodies.size()));
  write_parameter_set_record(writer, p);
  write_key_id(writer, batch.key_id);
  write_context_tag(writer, batch.context);
  write_key_kind(writer, batch.key_kind);
  writer.u64(expected.value);
  writer.bytes(batch.seed);
  writer.u64(batch.bodies.size());
  writer.u64_array(batch.bodies);
  writer.checksum();
}

SeededLweBatch load_seeded_lwe_batch(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "seeded LWE batch");
  read_header(reader, kSeededLweBatchKind, limits);
  const ParameterSet& params = read_parameter_set_record(reader);
  SeededLweBatch batch;
  batch.parameter_set_name = params.name;
  batch.key_id = read_key_id(reader);
  batch.context = read_context_tag(reader);
  batch.key_kind = read_key_kind(reader);
  batch.dimension = read_lwe_dimension(reader, params, batch.key_kind);
  reader.bytes(batch.seed, "seed");
  const std::uint64_t count = reader.u64("body count");
  reader.require_fit(count, 8, "bodies");
  batch.bodies.resize(count);
  reader.u64_array(batch.bodies, "bodies");
  read_envelope_trailer(reader);
  return batch;
}

void save_seeded_lwe_batch_file(const SeededLweBatch& batch, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_seeded_lwe_batch(batch, out); });
}

SeededLweBatch load_seeded_lwe_batch_file(const std::filesystem::path& path, const LoadLimits& limits) {
  SeededLweBatch batch;
  read_whole_file(path, "seeded LWE batch", [&](std::istream& in) { batch = load_seeded_lwe_batch(in, limits); });
  return batch;
}

}  // namespace veil::fhe
