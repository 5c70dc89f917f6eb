#include "veil/runtime/cli/compile_options_file.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "veil/common/error.hpp"

namespace veil::runtime::cli {
namespace {

template <class T>
T field(const nlohmann::json& doc, const char* name) {
  if (!doc.contains(name)) throw FormatError(std::string("compile options: missing field '") + name + "'");
  try {
    return doc.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FormatError(std::string("compile options: field '") + name + "' has the wrong type");
  }
}

}  // namespace

RecordedCompileOptions record_compile_options(const compiler::FheProgram& program, const std::string& fingerprint) {
  RecordedCompileOptions options{fingerprint, program.requested_p_error, {}, {}};
  for (const fhe::ParameterSet& set : program.partitions) options.parameter_sets.push_back(set.name);
  for (const compiler::PbsSite& site : program.pbs_sites) options.site_partitions.push_back(site.partition);
  return options;
}

std::string compile_options_json(const RecordedCompileOptions& options) {
  const nlohmann::json doc = {{"format_version", kCompileOptionsVersion},
                              {"program_fingerprint", options.program_fingerprint},
                              {"p_error", options.p_error},
                              {"parameter_sets", options.parameter_sets},
                              {"site_partitions", options.site_partitions}};
  return doc.dump(2) + "\n";
}

RecordedCompileOptions parse_compile_options(const std::string& json) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    throw FormatError(std::string("compile options: not JSON (") + e.what() + ")");
  }
  if (!doc.is_object()) throw FormatError("compile options: expected a JSON object");
  const int version = field<int>(doc, "format_version");
  if (version < 1 || version > kCompileOptionsVersion)
    throw FormatError("compile options: format_version " + std::to_string(version) + ", expected 1.." +
                      std::to_string(kCompileOptionsVersion));
  RecordedCompileOptions options{field<std::string>(doc, "program_fingerprint"), field<double>(doc, "p_error"), {}, {}};
  if (version == 1) {  // one set, every site on it
    options.parameter_sets = {field<std::string>(doc, "parameter_set")};
  } else {
    options.parameter_sets = field<std::vector<std::string>>(doc, "parameter_sets");
    options.site_partitions = field<std::vector<int>>(doc, "site_partitions");
    if (options.parameter_sets.empty()) throw FormatError("compile options: field 'parameter_sets' is empty");
    for (const int p : options.site_partitions) {
      if (p < 0 || static_cast<std::size_t>(p) >= options.parameter_sets.size())
        throw FormatError("compile options: field 'site_partitions' has partition " + std::to_string(p) +
                          ", expected 0.." + std::to_string(options.parameter_sets.size() - 1));
    }
  }
  if (!std::isfinite(options.p_error) || options.p_error < 0 || options.p_error >= 1)
    throw FormatError("compile options: p_error " + std::to_string(options.p_error) + " is not in [0, 1)");
  return options;
}

compiler::CompileOptions to_compile_options(const RecordedCompileOptions& options, fhe::AllowInsecure allow) {
  compiler::CompileOptions compile;
  compile.p_error = options.p_error;
  if (options.parameter_sets.size() == 1) {
    compile.parameter_set = options.parameter_sets[0];
  } else {
    compile.pinned_partitions = compiler::PinnedPartitions{options.parameter_sets, options.site_partitions};
  }
  compile.allow = allow;
  return compile;
}

}  // namespace veil::runtime::cli
