#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "veil/common/error.hpp"
#include "veil/nn/resnet18_cli.hpp"

namespace veil::nn {
namespace {

constexpr std::size_t kMaxThreads = 1024;
// Bit widths a table lookup or a quantized tensor may have (Concrete ML's sweep goes to 15).
constexpr int kMinBits = 2, kMaxBits = 16;
constexpr std::uint64_t kImageSize = 224;  // the preprocessed image's side

std::uint64_t parse_unsigned(const std::string& flag, const std::string& value, std::uint64_t min,
                             std::uint64_t max) {
  std::uint64_t v = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, v);
  if (value.empty() || ec != std::errc() || ptr != end || v < min || v > max)
    throw InvalidArgument(flag + ": '" + value + "' is not an integer in [" + std::to_string(min) + ", " +
                          std::to_string(max) + "]");
  return v;
}

int parse_bits(const std::string& flag, const std::string& value) {
  return static_cast<int>(parse_unsigned(flag, value, kMinBits, kMaxBits));
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t pos; (pos = text.find(sep, start)) != std::string::npos; start = pos + 1)
    parts.push_back(text.substr(start, pos - start));
  parts.push_back(text.substr(start));
  return parts;
}

// "N" -> {max(5, N), N, N, max(5, N)} as Concrete ML; "I,A,W,O" -> each field.
NBitsOption parse_n_bits(const std::string& flag, const std::string& value) {
  const auto parts = split(value, ',');
  if (parts.size() == 1) {
    const int n = parse_bits(flag, value);
    return {std::max(5, n), n, n, std::max(5, n)};
  }
  if (parts.size() != 4)
    throw InvalidArgument(flag + ": '" + value + "' has " + std::to_string(parts.size()) +
                          " fields, expected N or model_inputs,op_inputs,op_weights,model_outputs (e.g. 8,7,7,9)");
  return {parse_bits(flag, parts[0]), parse_bits(flag, parts[1]), parse_bits(flag, parts[2]), parse_bits(flag, parts[3])};
}

std::optional<int> parse_rounding(const std::string& flag, const std::string& value) {
  if (value == "none") return std::nullopt;
  if (value.find_first_not_of("0123456789") != std::string::npos)
    throw InvalidArgument(flag + ": '" + value + "' is neither 'none' nor an integer in [" + std::to_string(kMinBits) +
                          ", " + std::to_string(kMaxBits) + "]");
  return parse_bits(flag, value);
}

double parse_p_error(const std::string& flag, const std::string& value) {
  double p = 0.0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, p);
  if (ec != std::errc() || ptr != end || !std::isfinite(p) || p < 0.0 || p >= 1.0)
    throw InvalidArgument(flag + ": '" + value + "' is not a probability in [0, 1)");
  return p;
}

// 0 or a multiple of 32 up to the full image: ResNet-18 downsamples by 32.
std::int64_t parse_crop(const std::string& flag, const std::string& value) {
  const auto s = static_cast<std::int64_t>(parse_unsigned(flag, value, 0, kImageSize));
  if (s % 32 != 0)
    throw InvalidArgument(flag + ": '" + value + "' is not a multiple of 32 (ResNet-18 downsamples by 32; use 32, 64, "
                          "..., 224, or 0 for the full image)");
  return s;
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
    if (std::find(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(i), out[i]) != out.begin() + static_cast<std::ptrdiff_t>(i))
      throw InvalidArgument(flag + ": '" + value + "' lists a value twice");
  return out;
}

// How a flag takes its value: never, always, or when the next argument is not a flag.
enum class Takes { none, value, optional_value };

struct Flag {
  Takes takes;
  const char* help;
  std::function<void(Resnet18CliOptions&, const std::string& flag, const std::string& value)> apply;
};

const std::map<std::string, Flag>& flags() {
  static const std::map<std::string, Flag> table = {
      {"--help", {Takes::none, "show this help and exit", [](auto& o, auto&, auto&) { o.help = true; }}},
      {"--weights", {Takes::value, "PATH  ResNet-18 checkpoint (torch.save'd state_dict); default: the official "
                           "resnet18-f37072fd.pth in $TORCH_HOME/hub/checkpoints",
                     [](auto& o, auto&, auto& v) { o.weights = v; }}},
      {"--images", {Takes::value, "DIR  folder of images (with --labels); default: ../shared/data/imagenet-val100",
                    [](auto& o, auto&, auto& v) { o.images = v; }}},
      {"--labels", {Takes::value, "CSV  labels file 'file,label[,wnid,name]' for --images; default: "
                          "../shared/data/labels/xiaobozhao_val100.csv",
                    [](auto& o, auto&, auto& v) { o.labels = v; }}},
      {"--dataset-cache-dir", {Takes::value, "PATH  folder of webdataset .tar shards (KEY.jpg + KEY.cls) instead of --images",
                               [](auto& o, auto&, auto& v) { o.dataset_cache_dir = v; }}},
      {"--num-images", {Takes::value, "N  evaluate N images (those after the calibration images unless --fp32-only; default: all)",
                        [](auto& o, auto& f, auto& v) { o.num_images = parse_unsigned(f, v, 1, 1u << 30); }}},
      {"--threads", {Takes::value, "N  worker threads (default: all cores)",
                     [](auto& o, auto& f, auto& v) { o.threads = parse_unsigned(f, v, 1, kMaxThreads); }}},
      {"--batch-size", {Takes::value, "N  images per fp32 batch (default: 16)",
                        [](auto& o, auto& f, auto& v) { o.batch_size = parse_unsigned(f, v, 1, 4096); }}},
      {"--seed", {Takes::value, "S  shuffle the image order with this seed (default: dataset order)",
                  [](auto& o, auto& f, auto& v) { o.seed = parse_unsigned(f, v, 0, UINT64_MAX); }}},
      {"--no-progress", {Takes::none, "no progress bar on stderr", [](auto& o, auto&, auto&) { o.progress = false; }}},
      {"--run-fhe", {Takes::none, "after the clear and simulated stages, run --fhe-images evaluation images under "
                                  "real FHE (keys, encryption, server, decryption) and compare with the simulation",
                     [](auto& o, auto&, auto&) { o.run_fhe = true; }}},
      {"--export-statistics", {Takes::optional_value, "[PATH]  write the compiled circuit's statistics as JSON to PATH "
                                                      "(default statistics.json) and print a summary",
                               [](auto& o, auto&, auto& v) { o.export_statistics = v.empty() ? "statistics.json" : v; }}},
      {"--use-gpu", {Takes::none, "run the FHE stage on the GPU (CUDA backend)",
                     [](auto& o, auto&, auto&) { o.use_gpu = true; }}},
      {"--fhe-images", {Takes::value, "N  evaluation images run under real FHE with --run-fhe (default 1)",
                        [](auto& o, auto& f, auto& v) { o.fhe_images = parse_unsigned(f, v, 1, 1u << 20); }}},
      {"--fhe-crop", {Takes::value, "S  with --run-fhe: run FHE (and the simulation it is compared with) on ResNet-18 "
                                    "built for the S x S centre crop (S a multiple of 32, AvgPool S/32), quantized "
                                    "on the calibration images' crops; 0 = the full 224 image (default)",
                      [](auto& o, auto& f, auto& v) { o.fhe_crop = parse_crop(f, v); }}},
      {"--quant-mode", {Takes::value, "MODE  reference (Concrete ML's scheme), improved (veil's) or both (default)",
                        [](auto& o, auto& f, auto& v) {
                          if (v == "reference") o.quant_mode = QuantModeOption::reference;
                          else if (v == "improved") o.quant_mode = QuantModeOption::improved;
                          else if (v == "both") o.quant_mode = QuantModeOption::both;
                          else throw InvalidArgument(f + ": '" + v + "', expected reference, improved or both");
                        }}},
      {"--n-bits", {Takes::value, "N|I,A,W,O  quantization bits: one N, or model_inputs,op_inputs,op_weights,"
                          "model_outputs (default 8,7,7,9)",
                    [](auto& o, auto& f, auto& v) { o.n_bits = parse_n_bits(f, v); }}},
      {"--rounding-bits", {Takes::value, "N|none  accumulator bits kept before each lookup (default 7)",
                           [](auto& o, auto& f, auto& v) { o.rounding_bits = parse_rounding(f, v); }}},
      {"--rounding-method", {Takes::value, "M  approximate (default) or exact",
                             [](auto& o, auto& f, auto& v) {
                               if (v == "approximate") o.rounding_method = RoundingMethodOption::approximate;
                               else if (v == "exact") o.rounding_method = RoundingMethodOption::exact;
                               else throw InvalidArgument(f + ": '" + v + "', expected approximate or exact");
                             }}},
      {"--p-error", {Takes::value, "P  per-PBS error probability, in [0, 1): the compiler's target and the "
                                   "simulation's rate (default 0.05)",
                     [](auto& o, auto& f, auto& v) { o.p_error = parse_p_error(f, v); }}},
      {"--calibration-images", {Takes::value, "N  the dataset's first N images calibrate the quantizer and are not "
                                      "evaluated (default 10)",
                                [](auto& o, auto& f, auto& v) { o.calibration_images = parse_unsigned(f, v, 1, 1u << 20); }}},
      {"--simulation-seed", {Takes::value, "S  seed of the simulated PBS errors (default 0)",
                             [](auto& o, auto& f, auto& v) { o.simulation_seed = parse_unsigned(f, v, 0, UINT64_MAX); }}},
      {"--fp32-only", {Takes::none, "run the fp32 stage only (on every image; no calibration split)",
                       [](auto& o, auto&, auto&) { o.quantized_stages = false; }}},
      {"--run-experiment", {Takes::none, "sweep n_bits x rounding bits (clear quantized accuracy per cell); "
                                   "writes CSV + SVG heat map to --output-dir",
                            [](auto& o, auto&, auto&) { o.run_experiment = true; }}},
      {"--experiment-n-bits", {Takes::value, "LIST  n_bits rows of the sweep, e.g. 2..8 (default) or 4,6,8",
                               [](auto& o, auto& f, auto& v) {
                                 o.experiment_n_bits = parse_list<int>(f, v, parse_bits);
                               }}},
      {"--experiment-rounding-bits", {Takes::value, "LIST  rounding columns, e.g. 2..8,none (default) or 6,none",
                                      [](auto& o, auto& f, auto& v) {
                                        o.experiment_rounding_bits = parse_list<std::optional<int>>(f, v, parse_rounding);
                                      }}},
      {"--output-dir", {Takes::value, "DIR  where --run-experiment writes its files (default: current directory)",
                        [](auto& o, auto&, auto& v) { o.output_dir = v; }}},
  };
  return table;
}

// "--num_images" -> "--num-images": the seed script spells flags with underscores.
std::string canonical(std::string name) {
  for (std::size_t i = 2; i < name.size(); ++i)
    if (name[i] == '_') name[i] = '-';
  return name;
}

}  // namespace

Resnet18CliOptions parse_resnet18_cli(std::span<const std::string> args) {
  Resnet18CliOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg.size() == 2)
      throw InvalidArgument("unexpected argument '" + arg + "' (flags start with --; see --help)");
    const auto eq = arg.find('=');
    const std::string name = canonical(arg.substr(0, eq));
    const auto it = flags().find(name);
    if (it == flags().end()) throw InvalidArgument("unknown flag '" + arg.substr(0, eq) + "' (see --help)");
    const Takes takes = it->second.takes;
    std::string value;
    if (takes == Takes::none) {
      if (eq != std::string::npos) throw InvalidArgument(name + ": takes no value, got '" + arg.substr(eq + 1) + "'");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
      if (value.empty()) throw InvalidArgument(name + ": empty value");
    } else if (i + 1 < args.size() && (takes == Takes::value || args[i + 1].rfind("-", 0) != 0)) {
      value = args[++i];
      if (value.empty()) throw InvalidArgument(name + ": empty value");
    } else if (takes == Takes::value) {
      throw InvalidArgument(name + ": missing value");
    }
    it->second.apply(o, name, value);
  }
  if (o.help) return o;
  if (o.images.has_value() != o.labels.has_value())
    throw InvalidArgument(std::string(o.images ? "--images" : "--labels") + " needs " +
                          (o.images ? "--labels" : "--images") + " too");
  if (o.dataset_cache_dir && o.images)
    throw InvalidArgument("--dataset-cache-dir and --images/--labels select different datasets; give one of them");
  if (!o.quantized_stages)
    for (const auto& [given, flag] : {std::pair{o.run_experiment, "--run-experiment"}, {o.run_fhe, "--run-fhe"},
                                      {o.export_statistics.has_value(), "--export-statistics"}})
      if (given) throw InvalidArgument(std::string(flag) + " needs the quantized stages; drop --fp32-only");
  if (!o.run_fhe)
    for (const auto& [given, flag] : {std::pair{o.use_gpu, "--use-gpu"}, {o.fhe_images != 1, "--fhe-images"},
                                      {o.fhe_crop != 0, "--fhe-crop"}})
      if (given) throw InvalidArgument(std::string(flag) + " applies to the FHE stage; add --run-fhe");
  return o;
}

std::string resnet18_cli_help(const std::string& program) {
  std::string text = "Usage: " + program + " [flags]\n"
                     "Evaluates torchvision's ResNet-18 (AvgPool2d(7) head, as Concrete ML's run_resnet18_fhe.py)\n"
                     "on labelled ImageNet images and reports top-1/top-5 accuracy of the fp32 model, of the\n"
                     "quantized model and of its FHE simulation; with --run-fhe, also classifies images under\n"
                     "real FHE and compares each with its simulation.\n\n"
                     "Security note: with p_error 0.05 per PBS (the reference's setting) decrypted results must\n"
                     "stay with the client (IND-CPA, not IND-CPA^D); use a tight p_error (e.g. 1e-12) if they\n"
                     "are shared.\n\nFlags (--flag VALUE or --flag=VALUE; _ and - are "
                     "interchangeable):\n";
  for (const auto& [name, flag] : flags()) {
    // Value flags' help reads "VALUE  description".
    const std::string_view help = flag.help;
    const std::size_t split = flag.takes != Takes::none ? help.find("  ") : std::string_view::npos;
    std::string left(2, ' ');
    left += name;
    if (split != std::string_view::npos) {
      left += ' ';
      left += help.substr(0, split);
    }
    const std::string_view h = split == std::string_view::npos ? help : help.substr(split + 2);
    if (left.size() < 28) left.resize(28, ' ');
    text += left;
    text += ' ';
    text += h;
    text += '\n';
  }
  return text;
}

std::optional<std::filesystem::path> find_shared_data_dir(const std::vector<std::filesystem::path>& starts) {
  auto usable = [](const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_directory(p / "imagenet-val100", ec) && std::filesystem::is_directory(p / "labels", ec);
  };
  if (const char* env = std::getenv("VEIL_SHARED_DATA"); env && *env) {
    if (usable(env)) return std::filesystem::path(env);
  }
  for (const auto& start : starts) {
    std::error_code ec;
    std::filesystem::path dir = std::filesystem::weakly_canonical(start, ec);
    if (ec) continue;
    for (;;) {
      for (const auto& candidate : {dir.parent_path() / "shared" / "data", dir / "shared" / "data"})
        if (usable(candidate)) return candidate;
      if (!dir.has_parent_path() || dir.parent_path() == dir) break;
      dir = dir.parent_path();
    }
  }
  return std::nullopt;
}

}  // namespace veil::nn
