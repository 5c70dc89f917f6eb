// An optimized set is known by its name alone: the name spells its requirement and cost model
// (parameter_optimizer.cpp, set_name), and the optimizer is deterministic, so a key file, a
// client spec or a model file that names one is read back by running the search again. Sets are
// kept for the life of the process, so that references stay valid like the registry's.
#include <bit>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/parameter_optimizer.hpp"

namespace veil::fhe {
namespace {

/// Consumes `prefix` from the front of `text`.
bool take(std::string_view& text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

/// The text up to the next '_' (or the end), consumed with the '_'.
std::string_view field(std::string_view& text) {
  const std::size_t end = text.find('_');
  const std::string_view out = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  return out;
}

template <class T>
std::optional<T> number(std::string_view text) {
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// The requirement and cost model a name spells, or nothing when it is not an optimizer's name.
std::optional<std::pair<PbsRequirement, CostModel>> parse(std::string_view name) {
  PbsRequirement r;
  std::string_view rest = name;
  if (!take(rest, "opt")) return std::nullopt;
  const auto security = number<int>(field(rest));
  if (!take(rest, "p")) return std::nullopt;
  const auto precision = number<int>(field(rest));
  if (!take(rest, "nrm")) return std::nullopt;
  const auto norm2 = number<double>(field(rest));
  if (!take(rest, "pe")) return std::nullopt;
  const std::string_view p_error_text = field(rest);
  std::optional<double> p_error;
  if (p_error_text.substr(0, 2) == "2m") {
    if (const auto exponent = number<int>(p_error_text.substr(2)); exponent && *exponent > 0 && *exponent < 1000)
      p_error = std::ldexp(1.0, -*exponent);
  } else {
    p_error = number<double>(p_error_text);
  }
  if (!security || !precision || !norm2 || !p_error) return std::nullopt;
  if (take(rest, "k")) {  // a fixed GLWE shape: k<k>N<N>
    const std::string_view shape = field(rest);
    const std::size_t at_n = shape.find('N');
    if (at_n == std::string_view::npos) return std::nullopt;
    const auto k = number<int>(shape.substr(0, at_n));
    const auto size = number<std::size_t>(shape.substr(at_n + 1));
    if (!k || !size || *size == 0 || (*size & (*size - 1)) != 0) return std::nullopt;
    r.glwe_dimension = *k;
    r.log2_polynomial_size = std::countr_zero(*size);
    if (take(rest, "gn")) {  // the GLWE σ of a nested key: gn<d>
      const auto dimension = number<int>(field(rest));
      if (!dimension) return std::nullopt;
      r.glwe_noise_dimension = *dimension;
    }
  }
  if (take(rest, "cms_")) r.modulus_switch_kind = ModulusSwitchKind::CenteredMean;
  r.security_bits = *security;
  r.precision_bits = *precision;
  r.norm2 = *norm2;
  r.p_error = *p_error;
  for (const CostModel model : {CostModel::concrete_v0, CostModel::veil_cpu})
    if (rest == cost_model_name(model)) return std::make_pair(r, model);
  return std::nullopt;
}

}  // namespace

const OptimizedParameterSet* optimized_parameter_set_by_name(std::string_view name) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<OptimizedParameterSet>, std::less<>> derived;
  const auto request = parse(name);
  if (!request) return nullptr;
  std::lock_guard lock(mutex);
  if (const auto found = derived.find(name); found != derived.end()) return found->second.get();
  auto set = std::make_unique<OptimizedParameterSet>(optimize_parameter_set(request->first, request->second));
  // A name the optimizer would not write (such as "1e1" for 10) does not stand for its set.
  if (set->set.name != name) return nullptr;
  return derived.emplace(std::string(name), std::move(set)).first->second.get();
}

}  // namespace veil::fhe
