// The client spec as JSON (docs/serialization.md): every field required, typed and range
// checked, unknown fields refused, the content checked against its checksum and the text against
// the one form written; doubles are written in nlohmann's shortest round-trip form and read
// back exactly.
#include "veil/client/client_spec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "veil/common/checksummed_json.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/common/json_object_reader.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/seeded_lwe.hpp"

namespace veil::client {

namespace {

using Json = nlohmann::ordered_json;

// ---- writing

Json finite(double value, const char* field) {
  if (!std::isfinite(value)) throw InvalidArgument(std::string("client spec: ") + field + " is not finite");
  return value;
}

Json doubles(const std::vector<double>& values, const char* field) {
  Json out = Json::array();
  for (const double v : values) out.push_back(finite(v, field));
  return out;
}

// Everything but the checksum, which is the digest of this document.
Json spec_content(const ClientSpec& spec) {
  const QuantizeInputAttrs& q = spec.input_quantization;
  return {
      {"format_version", kClientSpecVersion},
      {"program_fingerprint", spec.program_fingerprint},
      {"parameter_sets", spec.parameter_sets},
      {"input_shape", spec.input_shape},
      {"input_quantization",
       {{"scale", finite(q.scale, "input_quantization.scale")},
        {"zero_point", q.zero_point},
        {"q_min", q.q_min},
        {"q_max", q.q_max}}},
      {"input_exponent", spec.input_exponent},
      {"output_shape", spec.output_shape},
      {"output_scale",
       {{"scale", doubles(spec.output_scale.scale, "output_scale.scale")},
        {"zero_point", spec.output_scale.zero_point}}},
      {"output_exponent", spec.output_exponent},
      {"output_bound", spec.output_bound},
  };
}

// ---- reading: each accessor names the field it complains about.

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
  fail_json_field("client spec", field, problem);
}

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kInt64Min = std::numeric_limits<std::int64_t>::min();

// The registry's sets the spec names: registered, at most fhe::kMaxKeyPartitions, every one
// sharing partition 0's GLWE key.
std::vector<const fhe::ParameterSet*> registered_sets(const std::vector<std::string>& names, const std::string& field) {
  if (names.empty() || names.size() > fhe::kMaxKeyPartitions) {
    fail(field,
         "lists " + std::to_string(names.size()) + " sets, expected 1.." + std::to_string(fhe::kMaxKeyPartitions));
  }
  std::vector<const fhe::ParameterSet*> sets;
  for (const std::string& name : names) {
    try {
      sets.push_back(&fhe::parameter_set_by_name(name));
    } catch (const InvalidArgument& e) {
      fail(field, "names no registered set: " + std::string(e.what()));
    }
  }
  try {
    fhe::require_nested_glwe_keys(sets, fhe::AllowInsecure::for_tests);  // toy sets are gated where keys are made
  } catch (const Error& e) {
    fail(field, e.what());
  }
  return sets;
}

ClientSpec read_spec(const Json& doc) {
  JsonObjectReader root(doc, "client spec", "");
  const std::int64_t version = root.integer("format_version", 0, kInt64Max);
  if (version != kClientSpecVersion) {
    const char* why = version < kClientSpecVersion ? " (older specs carry no checksum: compile the model again)" : "";
    throw FormatError("client spec: format_version " + std::to_string(version) + " unsupported, this build reads " +
                      std::to_string(kClientSpecVersion) + why);
  }
  ClientSpec spec;
  spec.program_fingerprint = root.sha256_hex("program_fingerprint");
  spec.parameter_sets = root.strings("parameter_sets");
  registered_sets(spec.parameter_sets, "parameter_sets");
  spec.input_shape = root.shape("input_shape");
  {
    JsonObjectReader q(root.at("input_quantization"), "client spec", "input_quantization");
    spec.input_quantization.scale = q.number("scale");
    if (!(spec.input_quantization.scale > 0)) fail(q.name("scale"), "must be > 0");
    spec.input_quantization.zero_point = q.integer("zero_point", kInt64Min, kInt64Max);
    spec.input_quantization.q_min = q.integer("q_min", kInt64Min, kInt64Max);
    spec.input_quantization.q_max = q.integer("q_max", spec.input_quantization.q_min, kInt64Max);
    q.finish();
  }
  spec.input_exponent = static_cast<int>(root.integer("input_exponent", 0, 63));
  spec.output_shape = root.shape("output_shape");
  {
    JsonObjectReader s(root.at("output_scale"), "client spec", "output_scale");
    spec.output_scale.scale = s.numbers("scale");
    spec.output_scale.zero_point = s.integers("zero_point");
    const auto channels = static_cast<std::size_t>(spec.output_shape[0]);
    for (const std::size_t size : {spec.output_scale.scale.size(), spec.output_scale.zero_point.size()}) {
      if (size != 1 && size != channels) {
        fail("output_scale", "has " + std::to_string(size) + " entries, expected 1 or " + std::to_string(channels));
      }
    }
    s.finish();
  }
  spec.output_exponent = static_cast<int>(root.integer("output_exponent", 0, 63));
  spec.output_bound = root.integer("output_bound", 0, kInt64Max);
  const std::string checksum = root.sha256_hex("checksum");
  root.finish();
  // Checked last, on the content as read: a change that leaves every field valid is caught here.
  require_checksum(checksum, spec_digest(spec).hex(), "client spec");
  return spec;
}

}  // namespace

fhe::ContextTag spec_digest(const ClientSpec& spec) { return fhe::context_tag_of(spec_content(spec).dump()); }

// The file's checksum is json_checksum(spec_content(spec)), the same SHA-256 as spec_digest.
std::string client_spec_json(const ClientSpec& spec) { return checksummed_json_text(spec_content(spec)); }

ClientSpec parse_client_spec(const std::string& json) {
  ClientSpec spec = read_spec(parse_json_document(json, "client spec"));
  // The checksum covers the content; the file has one form, so that no byte can change
  // unnoticed (not even whitespace or the spelling of a number).
  require_canonical_text(json, client_spec_json(spec), "client spec");
  return spec;
}

void save_client_spec_file(const ClientSpec& spec, const std::filesystem::path& path) {
  write_file_atomically(path, client_spec_json(spec));
}

ClientSpec load_client_spec_file(const std::filesystem::path& path) {
  const std::string text = read_file_limited(path, "client spec", kMaxClientSpecBytes);
  try {
    return parse_client_spec(text);
  } catch (const FormatError& e) {
    throw FormatError("'" + path.string() + "': " + e.what());
  }
}

SpecLoadLimits load_limits(const ClientSpec& spec) {
  std::vector<fhe::ParameterSet> sets;
  for (const fhe::ParameterSet* set : registered_sets(spec.parameter_sets, "parameter_sets")) sets.push_back(*set);
  const fhe::ParameterSet* params = &sets.front();
  const auto count = [](const Shape& shape) { return static_cast<std::uint64_t>(element_count(shape)); };
  return {{fhe::client_key_payload_bytes(sets)},
          {fhe::server_key_payload_bytes(sets)},
          {fhe::seeded_lwe_batch_payload_bytes(*params, count(spec.input_shape))},
          {fhe::ciphertext_batch_payload_bytes(*params, fhe::LweKeyKind::big, count(spec.output_shape))}};
}

std::optional<SpecDifference> first_difference(const ClientSpec& a, const ClientSpec& b) {
  const Json content_a = spec_content(a), content_b = spec_content(b);
  for (const auto& [key, value] : content_b.items()) {
    if (content_a.at(key) != value) return SpecDifference{key, content_a.at(key).dump(), value.dump()};
  }
  return std::nullopt;
}

}  // namespace veil::client
