#include <istream>
#include <ostream>

#include "fhe/serialize/envelope.hpp"
#include "fhe/serialize/parameter_set_record.hpp"
#include "fhe/serialize/payload_fields.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

using namespace serialize;

void save_parameter_set(const ParameterSet& params, std::ostream& out) {
  require_registered(params);
  ByteWriter writer(out);
  write_envelope_header(writer, kParameterSetKind, parameter_set_record_bytes(params));
  write_parameter_set_record(writer, params);
  writer.checksum();
}

ParameterSet load_parameter_set(std::istream& in, const LoadLimits& limits) {
  ByteReader reader(in, "parameter set");
  read_header(reader, kParameterSetKind, limits);
  const ParameterSet& params = read_parameter_set_record(reader);
  read_envelope_trailer(reader);
  return params;
}

}  // namespace veil::fhe
