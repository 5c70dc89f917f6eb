#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include "veil/common/error.hpp"
#include "veil/nn/resnet18_cli.hpp"

namespace veil::nn {
namespace {

constexpr std::size_t kMaxThreads = 1024;

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

struct Flag {
  bool takes_value;
  const char* help;
  std::function<void(Resnet18CliOptions&, const std::string& flag, const std::string& value)> apply;
};

void not_yet(const std::string& flag) {
  throw InvalidArgument(flag + ": not available yet in this build (the quantized, simulated and FHE stages "
                        "arrive in later work; this build runs the fp32 stage only)");
}

const std::map<std::string, Flag>& flags() {
  static const std::map<std::string, Flag> table = {
      {"--help", {false, "show this help and exit", [](auto& o, auto&, auto&) { o.help = true; }}},
      {"--weights", {true, "PATH  ResNet-18 checkpoint (torch.save'd state_dict); default: the official "
                           "resnet18-f37072fd.pth in $TORCH_HOME/hub/checkpoints",
                     [](auto& o, auto&, auto& v) { o.weights = v; }}},
      {"--images", {true, "DIR  folder of images (with --labels); default: ../shared/data/imagenet-val100",
                    [](auto& o, auto&, auto& v) { o.images = v; }}},
      {"--labels", {true, "CSV  labels file 'file,label[,wnid,name]' for --images; default: "
                          "../shared/data/labels/xiaobozhao_val100.csv",
                    [](auto& o, auto&, auto& v) { o.labels = v; }}},
      {"--dataset-cache-dir", {true, "PATH  folder of webdataset .tar shards (KEY.jpg + KEY.cls) instead of --images",
                               [](auto& o, auto&, auto& v) { o.dataset_cache_dir = v; }}},
      {"--num-images", {true, "N  evaluate the first N images (default: all)",
                        [](auto& o, auto& f, auto& v) { o.num_images = parse_unsigned(f, v, 1, 1u << 30); }}},
      {"--threads", {true, "N  worker threads (default: all cores)",
                     [](auto& o, auto& f, auto& v) { o.threads = parse_unsigned(f, v, 1, kMaxThreads); }}},
      {"--batch-size", {true, "N  images per fp32 batch (default: 16)",
                        [](auto& o, auto& f, auto& v) { o.batch_size = parse_unsigned(f, v, 1, 4096); }}},
      {"--seed", {true, "S  shuffle the image order with this seed (default: dataset order)",
                  [](auto& o, auto& f, auto& v) { o.seed = parse_unsigned(f, v, 0, UINT64_MAX); }}},
      {"--no-progress", {false, "no progress bar on stderr", [](auto& o, auto&, auto&) { o.progress = false; }}},
      {"--run-fhe", {false, "(not available yet) run the model under FHE", [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--export-statistics", {false, "(not available yet) export circuit statistics",
                               [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--use-gpu", {false, "(not available yet) run FHE on the GPU", [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--run-experiment", {false, "(not available yet) sweep n_bits and rounding bits",
                            [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--n-bits", {true, "N  (not available yet) quantization bit width", [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--rounding-bits", {true, "N  (not available yet) rounding threshold bits",
                           [](auto&, auto& f, auto&) { not_yet(f); }}},
      {"--p-error", {true, "P  (not available yet) PBS error probability", [](auto&, auto& f, auto&) { not_yet(f); }}},
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
    std::string value;
    if (it->second.takes_value) {
      if (eq != std::string::npos) {
        value = arg.substr(eq + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        throw InvalidArgument(name + ": missing value");
      }
      if (value.empty()) throw InvalidArgument(name + ": empty value");
    } else if (eq != std::string::npos) {
      throw InvalidArgument(name + ": takes no value, got '" + arg.substr(eq + 1) + "'");
    }
    it->second.apply(o, name, value);
  }
  if (o.help) return o;
  if (o.images.has_value() != o.labels.has_value())
    throw InvalidArgument(std::string(o.images ? "--images" : "--labels") + " needs " +
                          (o.images ? "--labels" : "--images") + " too");
  if (o.dataset_cache_dir && o.images)
    throw InvalidArgument("--dataset-cache-dir and --images/--labels select different datasets; give one of them");
  return o;
}

std::string resnet18_cli_help(const std::string& program) {
  std::string text = "Usage: " + program + " [flags]\n"
                     "Evaluates torchvision's ResNet-18 (AvgPool2d(7) head, as Concrete ML's run_resnet18_fhe.py)\n"
                     "on labelled ImageNet images and reports top-1/top-5 accuracy. This build runs the fp32\n"
                     "stage; the FHE stages arrive later.\n\nFlags (--flag VALUE or --flag=VALUE; _ and - are "
                     "interchangeable):\n";
  for (const auto& [name, flag] : flags()) {
    // Value flags' help reads "VALUE  description".
    const std::string_view help = flag.help;
    const std::size_t split = flag.takes_value ? help.find("  ") : std::string_view::npos;
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
