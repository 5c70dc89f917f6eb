#pragma once
// The flag tables of the command-line programs (resnet18_fhe, veil_fhe's subcommands):
// "--flag VALUE" or "--flag=VALUE", '_' and '-' interchangeable (the seed script spells
// --num_images), "-h" for --help, help lines made from the table; and the value parsers the
// programs share. Every error is an InvalidArgument naming the flag and the expected form.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "veil/app/flags/mode_reads.hpp"
#include "veil/app/flags/resnet18_fhe_options.hpp"

namespace veil::app {

/// How a flag takes its value: never, always, or only when the next argument does not start
/// with '-' (--export-statistics [PATH]); "--flag=VALUE" always gives one.
enum class FlagValue { none, required, optional };

template <class Options>
struct CliFlag {
  FlagValue value = FlagValue::none;
  const char* help = "";  // value flags: "VALUE  description"
  std::function<void(Options&, const std::string& flag, const std::string& value)> apply;
};

template <class Options>
using CliFlagTable = std::map<std::string, CliFlag<Options>>;  // by "--name"

/// A flag as given: its table name and its value ("" when it has none).
struct GivenFlag {
  std::string name, value;
};

/// Splits `args` into flags; kind_of(name) is the flag's FlagValue, nullopt for unknown flags.
std::vector<GivenFlag> split_flags(std::span<const std::string> args,
                                   const std::function<std::optional<FlagValue>(const std::string&)>& kind_of);

/// What the help shows of one flag.
struct FlagHelp {
  std::string name;
  FlagValue value = FlagValue::none;
  std::string help;
};

/// One help line per flag: "  --name VALUE   description".
std::string format_flags_help(const std::vector<FlagHelp>& flags);

template <class Options>
void apply_flags(std::span<const std::string> args, const CliFlagTable<Options>& table, Options& options) {
  const auto kind_of = [&table](const std::string& name) -> std::optional<FlagValue> {
    const auto it = table.find(name);
    return it == table.end() ? std::nullopt : std::optional(it->second.value);
  };
  for (const GivenFlag& flag : split_flags(args, kind_of)) table.at(flag.name).apply(options, flag.name, flag.value);
}

template <class Options>
std::string flags_help(const CliFlagTable<Options>& table) {
  std::vector<FlagHelp> flags;
  for (const auto& [name, flag] : table) flags.push_back({name, flag.value, flag.help});
  return format_flags_help(flags);
}

// Value parsers shared by the programs' tables.
std::uint64_t parse_unsigned_value(const std::string& flag, const std::string& value, std::uint64_t min,
                                   std::uint64_t max);
/// "N" -> {max(5, N), N, N, max(5, N)} as Concrete ML; "I,A,W,O" -> each field (2..16 bits).
nn::quant::NBits parse_n_bits_value(const std::string& flag, const std::string& value);
/// "none" or 2..16.
std::optional<int> parse_rounding_bits_value(const std::string& flag, const std::string& value);
/// "approximate" or "exact".
nn::quant::RoundingMethod parse_rounding_method_value(const std::string& flag, const std::string& value);
/// The largest per-PBS error probability the programs compile for (--p-error): 0.2, the loosest
/// target whose simulated accuracy veil has measured (docs/quantization.md, "p_error"); a model
/// compiled at 0.99 would decode its outputs wrongly with probability 1. The compiler itself
/// accepts (0, 1] (compiler::CompileOptions).
inline constexpr double kMaxPError = 0.2;
/// A per-PBS error probability in (0, kMaxPError]: 0 is no target a TFHE parameter set can meet.
double parse_p_error_value(const std::string& flag, const std::string& value);
/// A size in bytes: a number (a fraction allowed) and a unit, B, kB, MB, GB, TB (powers of 1000)
/// or KiB, MiB, GiB, TiB (powers of 1024): "2GB" = 2*10^9, "1.5 GiB"; "none" is 0 (no limit).
std::uint64_t parse_byte_size_value(const std::string& flag, const std::string& value);
/// 0 (the full image) or a multiple of 16 up to 224 (nn::make_resnet18's input sizes).
std::int64_t parse_crop_value(const std::string& flag, const std::string& value);
/// 1..1024.
std::size_t parse_threads_value(const std::string& flag, const std::string& value);
/// --rank-timeout: whole seconds, 1..2^24.
double parse_rank_timeout_value(const std::string& flag, const std::string& value);
/// Bit widths as items and ranges, each at most once: "2..8", "4,6,8", "2..4,8".
std::vector<int> parse_bits_list_value(const std::string& flag, const std::string& value);
/// Per-site rounding bits: "NODE=BITS[,NODE=BITS...]", each node once, BITS 2..16
/// ("maxpool=6,relu=6").
std::map<std::string, int> parse_site_bits_value(const std::string& flag, const std::string& value);
/// Per-site p_error targets: "NODE=P[,NODE=P...]", each node once, P as parse_p_error_value
/// ("maxpool=0.2").
std::map<std::string, double> parse_site_p_error_value(const std::string& flag, const std::string& value);
/// Rounding bits as items, ranges and "none": "2..8,none", "6,none".
std::vector<std::optional<int>> parse_rounding_list_value(const std::string& flag, const std::string& value);

/// The flags both programs take with one meaning and one help line: the quantizer's bits and
/// rounding (Options::quantization, an nn::quant::QuantizationConfig), how each mode reads its
/// lookups (Options::reads, an app::ModeReads) and whether the PBS sites share one parameter set
/// (Options::compile, a compiler::CompileOptions).
template <class Options>
CliFlagTable<Options> quantization_flags() {
  using O = Options;
  using S = const std::string&;
  return {
      {"--n-bits",
       {FlagValue::required,
        "N|I,A,W,O  quantization bits: one N, or model_inputs,op_inputs,op_weights,"
        "model_outputs (default 8,7,7,9)",
        [](O& o, S f, S v) { o.quantization.n_bits = parse_n_bits_value(f, v); }}},
      {"--rounding-bits",
       {FlagValue::required,
        "N|none  accumulator bits kept before each lookup (default: 7 in the reference mode, 10 in "
        "the improved mode)",
        [](O& o, S f, S v) {
          const std::optional<int> bits = parse_rounding_bits_value(f, v);
          o.reads.reference.rounding_bits = o.reads.improved.rounding_bits = bits;
        }}},
      {"--p-error",
       {FlagValue::required,
        "P  per-PBS error probability the compiler targets, in (0, 0.2] (default: 0.05 in the "
        "reference mode, 0.1 as a 7-bit read in the improved mode)",
        [](O& o, S f, S v) {
          const double p = parse_p_error_value(f, v);
          o.reads.reference.p_error = o.reads.improved.p_error = p;
        }}},
      {"--p-error-bits",
       {FlagValue::required,
        "B  state --p-error for B-bit reads: a lookup reading more bits (e.g. --rounding-bits 10) "
        "keeps the noise of a B-bit read at that p_error and loses its rounding error "
        "(default: each lookup's own bits in the reference mode, 7 in the improved mode)",
        [](O& o, S f, S v) {
          const int bits = static_cast<int>(parse_unsigned_value(f, v, 1, 24));
          o.reads.reference.p_error_bits = o.reads.improved.p_error_bits = bits;
        }}},
      {"--rounding-method",
       {FlagValue::required, "M  approximate (default) or exact",
        [](O& o, S f, S v) { o.quantization.rounding_method = parse_rounding_method_value(f, v); }}},
      {"--bias-correction",
       {FlagValue::none,
        "improved mode: add the rounded weights' mean error on the calibration images back to "
        "each layer's bias (the improved mode's default; it pays under fine reads and hurts under "
        "7-bit reads)",
        [](O& o, S, S) { o.reads.reference.bias_correction = o.reads.improved.bias_correction = true; }}},
      {"--no-bias-correction",
       {FlagValue::none, "keep each layer's bias as trained",
        [](O& o, S, S) { o.reads.reference.bias_correction = o.reads.improved.bias_correction = false; }}},
      {"--multi-parameter",
       {FlagValue::none,
        "each PBS site on its own parameter set sharing one GLWE secret, one "
        "key per set (the default)",
        [](O& o, S, S) { o.compile.multi_parameter = true; }}},
      {"--max-key-memory",
       {FlagValue::required,
        "SIZE|none  the most the evaluation keys may take in the server's memory (e.g. 2GB, "
        "1.5GiB); over it, partitions merge at the least cost (default 2GB)",
        [](O& o, S f, S v) { o.compile.max_key_bytes = parse_byte_size_value(f, v); }}},
      {"--uniform-parameters",
       {FlagValue::none, "one parameter set for every PBS site (one key)",
        [](O& o, S, S) { o.compile.multi_parameter = false; }}},
  };
}

}  // namespace veil::app
