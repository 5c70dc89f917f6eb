// compile_options.json (docs/serialization.md): every field required and typed, the content
// checked against its checksum and the text against the one form written, as the client spec.
#include "veil/runtime/compile_options_file.hpp"

#include <limits>
#include <nlohmann/json.hpp>

#include "veil/common/checksummed_json.hpp"
#include "veil/common/error.hpp"
#include "veil/common/json_object_reader.hpp"
#include "veil/compiler/model_file.hpp"

namespace veil::runtime {
namespace {

using Json = nlohmann::ordered_json;
constexpr const char* kWhat = "compile options";

// Everything but the checksum, which is the digest of this document.
Json options_content(const RecordedCompileOptions& options) {
  return {{"format_version", kCompileOptionsVersion},
          {"program_fingerprint", options.program_fingerprint},
          {"model_payload_bytes", options.model_payload_bytes},
          {"p_error", options.p_error},
          {"p_error_bits", options.p_error_bits},
          {"parameter_sets", options.parameter_sets},
          {"site_partitions", options.site_partitions}};
}

}  // namespace

RecordedCompileOptions record_compile_options(const compiler::FheProgram& program, const std::string& fingerprint) {
  RecordedCompileOptions options;
  options.program_fingerprint = fingerprint;
  options.model_payload_bytes = compiler::model_payload_bytes(program.circuit);
  options.p_error = program.requested_p_error;
  options.p_error_bits = program.p_error_bits;
  for (const fhe::ParameterSet& set : program.partitions) options.parameter_sets.push_back(set.name);
  for (const compiler::PbsSite& site : program.pbs_sites) options.site_partitions.push_back(site.partition);
  return options;
}

std::string compile_options_json(const RecordedCompileOptions& options) {
  return checksummed_json_text(options_content(options));
}

RecordedCompileOptions parse_compile_options(const std::string& json) {
  const Json doc = parse_json_document(json, kWhat);
  JsonObjectReader root(doc, kWhat, "");
  const std::int64_t version = root.integer("format_version", 0, std::numeric_limits<std::int64_t>::max());
  if (version != kCompileOptionsVersion) {
    const char* why =
        version < kCompileOptionsVersion ? " (older files lack checksum or p_error_bits: compile the model again)" : "";
    throw FormatError(std::string(kWhat) + ": format_version " + std::to_string(version) +
                      " unsupported, this build reads " + std::to_string(kCompileOptionsVersion) + why);
  }
  RecordedCompileOptions options;
  options.program_fingerprint = root.sha256_hex("program_fingerprint");
  options.model_payload_bytes =
      static_cast<std::uint64_t>(root.integer("model_payload_bytes", 1, compiler::kMaxModelPayloadBytes));
  options.p_error = root.number("p_error");
  if (!(options.p_error > 0 && options.p_error < 1))
    root.fail("p_error", "= " + std::to_string(options.p_error) + ", expected a probability in (0, 1)");
  options.p_error_bits = static_cast<int>(root.integer("p_error_bits", 0, 62));
  options.parameter_sets = root.strings("parameter_sets");
  for (const std::int64_t p : root.integers("site_partitions", /*may_be_empty=*/true)) {
    if (p < 0 || static_cast<std::uint64_t>(p) >= options.parameter_sets.size())
      root.fail("site_partitions", "has partition " + std::to_string(p) + ", expected 0.." +
                                       std::to_string(options.parameter_sets.size() - 1));
    options.site_partitions.push_back(static_cast<int>(p));
  }
  const std::string checksum = root.sha256_hex("checksum");
  root.finish();
  // Checked last, on the content as read, then the text: no byte changes unnoticed.
  require_checksum(checksum, json_checksum(options_content(options)), kWhat);
  require_canonical_text(json, compile_options_json(options), kWhat);
  return options;
}

compiler::CompileOptions to_compile_options(const RecordedCompileOptions& options, fhe::AllowInsecure allow) {
  compiler::CompileOptions compile;
  compile.p_error = options.p_error;
  compile.p_error_bits = options.p_error_bits;
  if (options.parameter_sets.size() == 1) {
    compile.parameter_set = options.parameter_sets[0];
  } else {
    compile.pinned_partitions = compiler::PinnedPartitions{options.parameter_sets, options.site_partitions};
  }
  compile.allow = allow;
  return compile;
}

}  // namespace veil::runtime
