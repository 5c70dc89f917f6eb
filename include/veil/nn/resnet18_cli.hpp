#pragma once
// Command-line options of apps/resnet18_fhe (the C++ form of Concrete ML's
// run_resnet18_fhe.py). This build runs the fp32 stage; the FHE-stage flags are
// recognised and refused until those stages exist.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace veil::nn {

struct Resnet18CliOptions {
  bool help = false;
  std::optional<std::filesystem::path> weights;            // else the official file via io's finder
  std::optional<std::filesystem::path> images;             // with labels: folder + CSV dataset
  std::optional<std::filesystem::path> labels;
  std::optional<std::filesystem::path> dataset_cache_dir;  // webdataset *.tar shards
  std::size_t num_images = 0;                              // 0: every image of the dataset
  std::size_t threads = 0;                                 // 0: all cores
  std::size_t batch_size = 16;
  std::optional<std::uint64_t> seed;                       // shuffles the image order reproducibly
  bool progress = true;
};

/// Parses arguments (without the program name). Accepts "--flag value" and "--flag=value",
/// and the seed script's underscore spellings (--num_images). Throws InvalidArgument naming
/// the flag for unknown flags, missing or malformed values, conflicting flags, and for the
/// FHE-stage flags (--run-fhe, --export-statistics, --use-gpu, --run-experiment, --n-bits,
/// --rounding-bits, --p-error), which are not available yet in this build.
Resnet18CliOptions parse_resnet18_cli(std::span<const std::string> args);

/// The --help text listing every flag.
std::string resnet18_cli_help(const std::string& program);

/// The shared data folder (one holding imagenet-val100/ and labels/): $VEIL_SHARED_DATA if
/// set, else the first of START/../shared/data or START/shared/data for START in each
/// given folder and its ancestors. Empty when none exists.
std::optional<std::filesystem::path> find_shared_data_dir(const std::vector<std::filesystem::path>& starts);

}  // namespace veil::nn
