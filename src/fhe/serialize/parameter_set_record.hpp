#pragma once
// The parameter-set record that opens every payload: all fields of a ParameterSet. On load
// the name must be in the registry and every stored field must equal the registry's.
#include <cstdint>

#include "fhe/serialize/byte_reader.hpp"
#include "fhe/serialize/byte_writer.hpp"
#include "veil/fhe/parameters.hpp"

namespace veil::fhe::serialize {

inline constexpr std::size_t kMaxNameBytes = 256;
inline constexpr std::size_t kMaxSourceBytes = 4096;

/// Bytes write_parameter_set_record writes for `params`. Throws InvalidArgument if the name
/// or source is longer than the format allows.
std::uint64_t parameter_set_record_bytes(const ParameterSet& params);

void write_parameter_set_record(ByteWriter& writer, const ParameterSet& params);

/// The registry's set named by the record, after checking every stored field against it.
const ParameterSet& read_parameter_set_record(ByteReader& reader);

}  // namespace veil::fhe::serialize
