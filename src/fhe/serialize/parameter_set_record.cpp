#include "fhe/serialize/parameter_set_record.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>

#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe::serialize {

namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Fixed-size fields after the two strings: 3 x i32, 1 + 2 doubles, 7 x u64, 1 flag byte.
constexpr std::uint64_t kFixedFieldBytes = 2 + 2 + 3 * 4 + 3 * 8 + 7 * 8 + 1;

template <class T>
std::string text(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
  } else {
    return std::to_string(value);
  }
}

// The registry derives some doubles (noise std devs from the security curve, target p_error
// from the noise model) with exp2/erfc at start-up; another build or CPU may round their last
// bits differently. 1e-9 relative is far below any meaningful difference between sets.
constexpr double kDerivedDoubleRelativeTolerance = 1e-9;

template <class T>
bool same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b)) return true;
    return std::isfinite(a) && std::isfinite(b) &&
           std::fabs(a - b) <= kDerivedDoubleRelativeTolerance * std::max(std::fabs(a), std::fabs(b));
  } else {
    return a == b;
  }
}

template <class T>
void require_field(const ByteReader& reader, const ParameterSet& registered, std::string_view field, T stored,
                   T expected) {
  if (!same(stored, expected)) {
    reader.fail("parameter set '" + registered.name + "': stored " + std::string(field) + " = " + text(stored) +
                ", the registry has " + text(expected));
  }
}

}  // namespace

std::uint64_t parameter_set_record_bytes(const ParameterSet& params) {
  if (params.name.empty() || params.name.size() > kMaxParameterSetNameBytes) {
    throw InvalidArgument("parameter set name '" + params.name + "' has " + std::to_string(params.name.size()) +
                          " bytes, expected 1.." + std::to_string(kMaxParameterSetNameBytes));
  }
  if (params.source.size() > kMaxSourceBytes) {
    throw InvalidArgument("parameter set '" + params.name + "': source has " + std::to_string(params.source.size()) +
                          " bytes, at most " + std::to_string(kMaxSourceBytes) + " fit the format");
  }
  return kFixedFieldBytes + params.name.size() + params.source.size();
}

void write_parameter_set_record(ByteWriter& writer, const ParameterSet& params) {
  parameter_set_record_bytes(params);  // validates the string lengths
  writer.u16(static_cast<std::uint16_t>(params.name.size()));
  writer.bytes(as_bytes(params.name));
  writer.u16(static_cast<std::uint16_t>(params.source.size()));
  writer.bytes(as_bytes(params.source));
  writer.u32(static_cast<std::uint32_t>(params.security_bits));
  writer.u32(static_cast<std::uint32_t>(params.precision_bits));
  writer.u32(static_cast<std::uint32_t>(params.log2_norm2));
  writer.f64(params.target_p_error);
  writer.u64(params.lwe_dimension.value);
  writer.u64(params.glwe_dimension.value);
  writer.u64(params.polynomial_size.value);
  writer.f64(params.lwe_noise.std_dev);
  writer.f64(params.glwe_noise.std_dev);
  writer.u64(params.pbs_base_log.value);
  writer.u64(params.pbs_level.value);
  writer.u64(params.ks_base_log.value);
  writer.u64(params.ks_level.value);
  writer.u8(params.insecure_for_tests ? 1 : 0);
}

const ParameterSet& read_parameter_set_record(ByteReader& reader) {
  const std::uint16_t name_bytes = reader.u16("parameter-set name length");
  if (name_bytes == 0 || name_bytes > kMaxParameterSetNameBytes) {
    reader.fail("parameter-set name length " + std::to_string(name_bytes) + ", expected 1.." +
                std::to_string(kMaxParameterSetNameBytes));
  }
  const std::string name = reader.string(name_bytes, "parameter-set name");
  const ParameterSet* registered = nullptr;
  try {
    registered = &parameter_set_by_name(name);
  } catch (const InvalidArgument& e) {
    reader.fail("unknown parameter set: " + std::string(e.what()));
  }
  const std::uint16_t source_bytes = reader.u16("parameter-set source length");
  if (source_bytes > kMaxSourceBytes) {
    reader.fail("parameter-set source length " + std::to_string(source_bytes) + ", at most " +
                std::to_string(kMaxSourceBytes));
  }
  const ParameterSet& r = *registered;
  const std::string source = reader.string(source_bytes, "parameter-set source");
  if (source != r.source) reader.fail("parameter set '" + name + "': stored source differs from the registry's");
  require_field(reader, r, "security_bits", static_cast<std::int32_t>(reader.u32("security_bits")),
                std::int32_t{r.security_bits});
  require_field(reader, r, "precision_bits", static_cast<std::int32_t>(reader.u32("precision_bits")),
                std::int32_t{r.precision_bits});
  require_field(reader, r, "log2_norm2", static_cast<std::int32_t>(reader.u32("log2_norm2")),
                std::int32_t{r.log2_norm2});
  require_field(reader, r, "target_p_error", reader.f64("target_p_error"), r.target_p_error);
  require_field(reader, r, "lwe_dimension", reader.u64("lwe_dimension"), std::uint64_t{r.lwe_dimension.value});
  require_field(reader, r, "glwe_dimension", reader.u64("glwe_dimension"), std::uint64_t{r.glwe_dimension.value});
  require_field(reader, r, "polynomial_size", reader.u64("polynomial_size"), std::uint64_t{r.polynomial_size.value});
  require_field(reader, r, "lwe_noise.std_dev", reader.f64("lwe_noise.std_dev"), r.lwe_noise.std_dev);
  require_field(reader, r, "glwe_noise.std_dev", reader.f64("glwe_noise.std_dev"), r.glwe_noise.std_dev);
  require_field(reader, r, "pbs_base_log", reader.u64("pbs_base_log"), std::uint64_t{r.pbs_base_log.value});
  require_field(reader, r, "pbs_level", reader.u64("pbs_level"), std::uint64_t{r.pbs_level.value});
  require_field(reader, r, "ks_base_log", reader.u64("ks_base_log"), std::uint64_t{r.ks_base_log.value});
  require_field(reader, r, "ks_level", reader.u64("ks_level"), std::uint64_t{r.ks_level.value});
  require_field(reader, r, "insecure_for_tests", reader.u8("insecure_for_tests"),
                std::uint8_t{r.insecure_for_tests ? std::uint8_t{1} : std::uint8_t{0}});
  return r;
}

std::vector<const ParameterSet*> read_partition_sets(ByteReader& reader, std::uint16_t version, AllowInsecure allow) {
  if (version == 1) {
    const ParameterSet& set = read_parameter_set_record(reader);
    require_secure(set, allow);
    return {&set};
  }
  const std::uint32_t count = reader.u32("partition count");
  if (count == 0 || count > kMaxKeyPartitions) {
    reader.fail("partition count " + std::to_string(count) + ", expected 1.." + std::to_string(kMaxKeyPartitions));
  }
  std::vector<const ParameterSet*> sets;
  for (std::uint32_t i = 0; i < count; ++i) {
    sets.push_back(&read_parameter_set_record(reader));
    require_secure(*sets.back(), allow);
  }
  try {
    require_nested_glwe_keys(sets, allow);
  } catch (const InvalidArgument& e) {  // a SecurityError stays one
    reader.fail(std::string("partition parameter sets: ") + e.what());
  }
  return sets;
}

}  // namespace veil::fhe::serialize

namespace veil::fhe::serialize {

const ParameterSet& require_registered(const ParameterSet& params) {
  // Write the record and read it back: the reader's field-by-field registry check then
  // names the first field that differs.
  std::stringstream record;
  ByteWriter writer(record);
  write_parameter_set_record(writer, params);
  ByteReader reader(record, "parameter set '" + params.name + "'");
  try {
    return read_parameter_set_record(reader);
  } catch (const FormatError& e) {
    throw InvalidArgument(std::string("only registered parameter sets can be serialized: ") + e.what());
  }
}

}  // namespace veil::fhe::serialize
