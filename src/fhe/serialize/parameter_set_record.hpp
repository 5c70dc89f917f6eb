#pragma once
// The parameter-set record that opens every payload: all fields of a ParameterSet. On load
// the name must be in the registry and every stored field must equal the registry's.
#include <cstdint>
#include <vector>

#include "veil/common/byte_reader.hpp"
#include "veil/common/byte_writer.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/parameters.hpp"

namespace veil::fhe::serialize {

inline constexpr std::size_t kMaxSourceBytes = 4096;

/// Bytes write_parameter_set_record writes for `params`. Throws InvalidArgument if the name
/// or source is longer than the format allows.
std::uint64_t parameter_set_record_bytes(const ParameterSet& params);

void write_parameter_set_record(ByteWriter& writer, const ParameterSet& params);

/// The registry's set named by the record, after checking every stored field against it.
const ParameterSet& read_parameter_set_record(ByteReader& reader);

/// The sets that open a key file's payload: one record in version 1; in version 2 a u32
/// partition count (1..kMaxKeyPartitions) then one record per partition, every set sharing
/// partition 0's GLWE key (shares_glwe_key) and passing require_secure(set, allow). Fails naming
/// the count or the set otherwise.
std::vector<const ParameterSet*> read_partition_sets(ByteReader& reader, std::uint16_t version, AllowInsecure allow);

}  // namespace veil::fhe::serialize
