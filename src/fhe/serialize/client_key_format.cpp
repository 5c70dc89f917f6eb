#include <istream>
#include <ostream>
#include <vector>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

using namespace serialize;

namespace {

// Secret keys are binary: one byte (0 or 1) per coefficient keeps the format obvious.
void write_bits(ByteWriter& writer, std::span<const Torus> bits, std::string_view which) {
  std::vector<std::uint8_t> bytes(bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] > 1) {
      throw InvalidArgument("client key: " + std::string(which) + " coefficient " + std::to_string(i) + " = " +
                            std::to_string(bits[i]) + ", expected 0 or 1");
    }
    bytes[i] = static_cast<std::uint8_t>(bits[i]);
  }
  writer.u64(bits.size());
  writer.bytes(bytes);
}

std::vector<Torus> read_bits(ByteReader& reader, const ParameterSet& params, std::string_view which,
                             std::size_t expected) {
  read_expected_u64(reader, params, std::string(which) + " length", expected);
  std::vector<std::uint8_t> bytes(expected);  // expected comes from a registered set: bounded
  reader.bytes(bytes, which);
  std::vector<Torus> bits(expected);
  for (std::size_t i = 0; i < expected; ++i) {
    if (bytes[i] > 1) {
      reader.fail(std::string(which) + " coefficient " + std::to_string(i) + " = " + std::to_string(bytes[i]) +
                  ", expected 0 or 1");
    }
    bits[i] = bytes[i];
  }
  return bits;
}

}  // namespace

std::uint64_t client_key_payload_bytes(const ParameterSet& params) {
  // Two key lengths (u64), then the small key's and the GLWE key's bits, one byte each.
  return parameter_set_record_bytes(params) + kKeyIdBytes + 16 + params.lwe_dimension.value +
         params.big_lwe_dimension().value;
}

void save_client_key(const ClientKey& client, std::ostream& out) {
  const ParameterSet& params = require_registered(client.parameters());
  const std::size_t n = params.lwe_dimension.value;
  const std::size_t big_n = params.big_lwe_dimension().value;
  const GlweSecretKey& glwe = client.glwe_key();
  if (client.small_key().dimension().value != n || glwe.glwe_dimension() != params.glwe_dimension ||
      glwe.polynomial_size() != params.polynomial_size || glwe.flattened_bits().size() != big_n) {
    throw InvalidArgument("client key: small key of dimension " + std::to_string(client.small_key().dimension().value) +
                          " and GLWE key of " + std::to_string(glwe.flattened_bits().size()) +
                          " coefficients, parameter set '" + params.name + "' requires " + std::to_string(n) + " and " +
                          std::to_string(big_n));
  }
  ByteWriter writer(out);
  write_header(writer, ObjectKind::client_key, client_key_payload_bytes(params));
  write_parameter_set_record(writer, params);
  write_key_id(writer, key_id_of(client));
  write_bits(writer, client.small_key().bits(), "small key");
  write_bits(writer, glwe.flattened_bits(), "GLWE key");
  writer.checksum();
}

ClientKey load_client_key(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "client key");
  read_header(reader, ObjectKind::client_key, limits);
  const ParameterSet& params = read_parameter_set_record(reader);
  const KeyId stored_id = read_key_id(reader);
  std::vector<Torus> small = read_bits(reader, params, "small key", params.lwe_dimension.value);
  std::vector<Torus> big = read_bits(reader, params, "GLWE key", params.big_lwe_dimension().value);
  read_trailer(reader);
  ClientKey client(params, LweSecretKey(std::move(small)),
                   GlweSecretKey(params.glwe_dimension, params.polynomial_size, std::move(big)));
  if (const KeyId id = key_id_of(client); id != stored_id) {
    throw FormatError("client key: stored key id " + stored_id.hex() + " does not match the key material (" + id.hex() +
                      ")");
  }
  return client;
}

}  // namespace veil::fhe
