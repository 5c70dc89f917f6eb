#include "veil/app/flags/flag_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <utility>

#include "veil/common/error.hpp"

namespace veil::app {
namespace {

constexpr std::size_t kMaxThreads = 1024;
// Bit widths a table lookup or a quantized tensor may have (Concrete ML's sweep goes to 15).
constexpr int kMinBits = 2, kMaxBits = 16;
constexpr std::uint64_t kImageSize = 224;  // the preprocessed image's side
constexpr std::size_t kHelpColumn = 28;

// "--num_images" -> "--num-images".
std::string canonical(std::string name) {
  for (std::size_t i = 2; i < name.size(); ++i)
    if (name[i] == '_') name[i] = '-';
  return name;
}

int parse_bits(const std::string& flag, const std::string& value) {
  return static_cast<int>(parse_unsigned_value(flag, value, kMinBits, kMaxBits));
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t pos; (pos = text.find(sep, start)) != std::string::npos; start = pos + 1)
    parts.push_back(text.substr(start, pos - start));
  parts.push_back(text.substr(start));
  return parts;
}

// A list of items and ranges: "2..8", "4,6,none", "2..4,8".
template <typename T, typename ParseOne>
std::vector<T> parse_list(const std::string& flag, const std::string& value, ParseOne parse_one) {
  std::vector<T> out;
  for (const std::string& part : split(value, ',')) {
    const auto dots = part.find("..");
    if (dots == std::string::npos) {
      out.push_back(parse_one(flag, part));
      continue;
    }
    const int first = parse_bits(flag, part.substr(0, dots)), last = parse_bits(flag, part.substr(dots + 2));
    if (first > last)
      throw InvalidArgument(flag + ": range '" + part + "' is empty, expected FIRST..LAST with FIRST <= LAST");
    for (int n = first; n <= last; ++n) out.push_back(n);
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) !=
        out.begin() + static_cast<std::ptrdiff_t>(i))
      throw InvalidArgument(flag + ": '" + value + "' lists a value twice");
  return out;
}

}  // namespace

std::vector<GivenFlag> split_flags(std::span<const std::string> args,
                                   const std::function<std::optional<FlagValue>(const std::string&)>& kind_of) {
  std::vector<GivenFlag> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      given.push_back({"--help", ""});
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw InvalidArgument("unexpected argument '" + arg + "' (flags start with --; see --help)");
    const auto eq = arg.find('=');
    const std::string name = canonical(arg.substr(0, eq));
    const std::optional<FlagValue> kind = kind_of(name);
    if (!kind) throw InvalidArgument("unknown flag '" + arg.substr(0, eq) + "' (see --help)");
    std::string value;
    if (*kind == FlagValue::none) {
      if (eq != std::string::npos) throw InvalidArgument(name + ": takes no value, got '" + arg.substr(eq + 1) + "'");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      if (value.empty()) throw InvalidArgument(name + ": empty value");
    } else if (i + 1 < args.size() && (*kind == FlagValue::required || args[i + 1].rfind('-', 0) != 0)) {
      value = args[++i];
      if (value.empty()) throw InvalidArgument(name + ": empty value");
    } else if (*kind == FlagValue::required) {
      throw InvalidArgument(name + ": missing value");
    }
    given.push_back({name, value});
  }
  return given;
}

std::string format_flags_help(const std::vector<FlagHelp>& flags) {
  std::string text;
  for (const FlagHelp& flag : flags) {
    // Value flags' help reads "VALUE  description".
    const std::string_view help = flag.help;
    const std::size_t split = flag.value != FlagValue::none ? help.find("  ") : std::string_view::npos;
    std::string left(2, ' ');
    left += flag.name;
    if (split != std::string_view::npos) {
      left += ' ';
      left += help.substr(0, split);
    }
    const std::string_view description = split == std::string_view::npos ? help : help.substr(split + 2);
    if (left.size() < kHelpColumn) left.resize(kHelpColumn, ' ');
    text += left;
    text += ' ';
    text += description;
    text += '\n';
  }
  return text;
}

std::uint64_t parse_unsigned_value(const std::string& flag, const std::string& value, std::uint64_t min,
                                   std::uint64_t max) {
  std::uint64_t v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end || v < min || v > max)
    throw InvalidArgument(flag + ": '" + value + "' is not an integer in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
  return v;
}

nn::quant::NBits parse_n_bits_value(const std::string& flag, const std::string& value) {
  const auto parts = split(value, ',');
  if (parts.size() == 1) {
    const int n = parse_bits(flag, value);
    return {std::max(5, n), n, n, std::max(5, n)};
  }
  if (parts.size() != 4)
    throw InvalidArgument(flag + ": '" + value + "' has " + std::to_string(parts.size()) +
                          " fields, expected N or model_inputs,op_inputs,op_weights,model_outputs (e.g. 8,7,7,9)");
  return {parse_bits(flag, parts[0]), parse_bits(flag, parts[1]), parse_bits(flag, parts[2]),
          parse_bits(flag, parts[3])};
}

std::optional<int> parse_rounding_bits_value(const std::string& flag, const std::string& value) {
  if (value == "none") return std::nullopt;
  if (value.find_first_not_of("0123456789") != std::string::npos)
    throw InvalidArgument(flag + ": '" + value + "' is neither 'none' nor an integer in [" + std::to_string(kMinBits) +
                          ", " + std::to_string(kMaxBits) + "]");
  return parse_bits(flag, value);
}

double parse_p_error_value(const std::string& flag, const std::string& value) {
  double p = 0.0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, p);
  if (ec != std::errc() || ptr != end || !std::isfinite(p) || p <= 0.0 || p > kMaxPError) {
    char max[32];
    std::snprintf(max, sizeof max, "%g", kMaxPError);
    throw InvalidArgument(flag + ": '" + value + "' is not a per-PBS error probability in (0, " + max +
                          "] (the reference's is 0.05; above " + max + " accuracy is unmeasured)");
  }
  return p;
}

std::uint64_t parse_byte_size_value(const std::string& flag, const std::string& value) {
  if (value == "none") return 0;
  static const std::pair<const char*, double> units[] = {
      {"B", 1},     {"kB", 1e3},     {"KB", 1e3},     {"MB", 1e6},     {"GB", 1e9},
      {"TB", 1e12}, {"KiB", 0x1p10}, {"MiB", 0x1p20}, {"GiB", 0x1p30}, {"TiB", 0x1p40}};
  double number = 0.0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, number);
  std::string unit(ptr, end);
  unit.erase(0, unit.find_first_not_of(' '));
  for (const auto& [name, scale] : units) {
    const double bytes = number * scale;
    if (ec == std::errc() && unit == name && std::isfinite(number) && bytes >= 1 && bytes < 0x1p63)
      return static_cast<std::uint64_t>(bytes);
  }
  throw InvalidArgument(flag + ": '" + value +
                        "', expected a positive size with a unit (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB; e.g. 2GB) "
                        "or none");
}

nn::quant::RoundingMethod parse_rounding_method_value(const std::string& flag, const std::string& value) {
  if (value == "approximate") return nn::quant::RoundingMethod::Approximate;
  if (value == "exact") return nn::quant::RoundingMethod::Exact;
  throw InvalidArgument(flag + ": '" + value + "', expected approximate or exact");
}

std::int64_t parse_crop_value(const std::string& flag, const std::string& value) {
  const auto s = static_cast<std::int64_t>(parse_unsigned_value(flag, value, 0, kImageSize));
  if (s % 16 != 0)
    throw InvalidArgument(flag + ": '" + value +
                          "' is not a multiple of 16 (ResNet-18 downsamples by 32; use 16, 32, "
                          "..., 224, or 0 for the full image)");
  return s;
}

std::size_t parse_threads_value(const std::string& flag, const std::string& value) {
  return parse_unsigned_value(flag, value, 1, kMaxThreads);
}

double parse_rank_timeout_value(const std::string& flag, const std::string& value) {
  return static_cast<double>(parse_unsigned_value(flag, value, 1, std::uint64_t{1} << 24));
}

std::vector<int> parse_bits_list_value(const std::string& flag, const std::string& value) {
  return parse_list<int>(flag, value, parse_bits);
}

namespace {
// NODE=VALUE,... with each VALUE read by parse_one; `form` shows the expected item in messages.
template <class Value, class Parse>
std::map<std::string, Value> parse_site_values(const std::string& flag, const std::string& value, const char* form,
                                               Parse parse_one) {
  std::map<std::string, Value> values;
  for (const std::string& item : split(value, ',')) {
    const std::size_t equals = item.find('=');
    if (equals == 0 || equals == std::string::npos) {
      throw InvalidArgument(flag + ": '" + item + "', expected " + form);
    }
    const std::string node = item.substr(0, equals);
    if (!values.emplace(node, parse_one(flag, item.substr(equals + 1))).second) {
      throw InvalidArgument(flag + ": node '" + node + "' given twice");
    }
  }
  return values;
}
}  // namespace

std::map<std::string, int> parse_site_bits_value(const std::string& flag, const std::string& value) {
  return parse_site_values<int>(flag, value, "NODE=BITS (e.g. maxpool=6)", parse_bits);
}

std::map<std::string, double> parse_site_p_error_value(const std::string& flag, const std::string& value) {
  return parse_site_values<double>(flag, value, "NODE=P (e.g. maxpool=0.2)", parse_p_error_value);
}

std::vector<std::optional<int>> parse_rounding_list_value(const std::string& flag, const std::string& value) {
  return parse_list<std::optional<int>>(flag, value, parse_rounding_bits_value);
}

}  // namespace veil::app
