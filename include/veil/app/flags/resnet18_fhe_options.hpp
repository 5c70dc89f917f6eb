#pragma once
// Command-line options of apps/resnet18_fhe (the C++ form of Concrete ML's
// run_resnet18_fhe.py): the fp32 stage, the quantized and simulated stages, the n_bits
// sweep, circuit statistics and the FHE stage (--run-fhe).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "veil/app/flags/mode_reads.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app {

struct Resnet18CliOptions {
  bool help = false;
  std::optional<std::filesystem::path> weights;  // else the official file via io's finder
  std::optional<std::filesystem::path> images;   // with labels: folder + CSV dataset
  std::optional<std::filesystem::path> labels;
  std::optional<std::filesystem::path> dataset_cache_dir;  // webdataset *.tar shards
  std::size_t num_images = 0;                              // 0: every image of the dataset
  std::size_t threads = 0;                                 // 0: all cores
  std::size_t batch_size = 16;
  std::optional<std::uint64_t> seed;  // shuffles the image order reproducibly
  bool progress = true;

  // Quantized and simulated stages.
  /// --quant-mode: the modes run side by side, in this order (both by default).
  std::vector<nn::quant::QuantizationMode> quant_modes = {nn::quant::QuantizationMode::ReferenceCompatible,
                                                          nn::quant::QuantizationMode::Improved};
  /// --n-bits (the seed's 8/7/7/9), --rounding-bits-at (improved mode's fixed per-site bits,
  /// rounding_bits_by_node), --rounding-method; `mode` and `rounding_bits` are each stage's (reads).
  nn::quant::QuantizationConfig quantization;
  /// --rounding-bits, --p-error, --p-error-bits: each mode's defaults until given.
  ModeReads reads;
  bool per_site_precision = false;      // --per-site-precision: search per-site bits
  std::size_t calibration_images = 10;  // the dataset's first N calibrate, the rest evaluate
  std::uint64_t simulation_seed = 0;
  bool quantized_stages = true;  // false: --fp32-only

  // --run-experiment: clear quantized accuracy over n_bits × rounding bits.
  bool run_experiment = false;
  std::vector<int> experiment_n_bits = {2, 3, 4, 5, 6, 7, 8};
  std::vector<std::optional<int>> experiment_rounding_bits = {2, 3, 4, 5, 6, 7, 8, std::nullopt};
  std::filesystem::path output_dir = ".";  // where the experiment's CSV and SVG go

  // Compiled circuit and FHE execution.
  /// --p-error-at and --uniform-parameters (multi_parameter false: one set for every PBS site);
  /// p_error and p_error_bits are each mode's (reads).
  compiler::CompileOptions compile;
  std::optional<std::filesystem::path> export_statistics;  // --export-statistics [PATH]: JSON destination
  bool run_fhe = false;
  bool use_gpu = false;
  std::size_t fhe_images = 1;                       // evaluation images run under FHE
  std::int64_t fhe_crop = 0;                        // S: FHE on the S x S centre crop; 0: full image
  std::optional<std::filesystem::path> fhe_layers;  // per-layer CSV of the FHE runs
  bool distributed = false;     // one rank of an MPI job: rank 0 runs all, the others serve the FHE stage
  double rank_timeout = 600.0;  // --distributed: seconds before a silent rank stops the job
};

/// Parses arguments (without the program name). Accepts "--flag value" and "--flag=value",
/// and the seed script's underscore spellings (--num_images); --export-statistics takes the
/// next argument as its PATH unless it starts with '-'. Throws InvalidArgument naming the flag
/// and the expected form for unknown flags, missing or malformed values (bit widths outside
/// 2..16, p_error outside [0, 1), a crop that is not a multiple of 16, ...) and conflicting
/// flags (FHE-stage flags without --run-fhe, FHE or statistics with --fp32-only, --rank-timeout
/// without --distributed).
Resnet18CliOptions parse_resnet18_cli(std::span<const std::string> args);

/// Whether --quant-mode selects `mode`.
bool runs_mode(const Resnet18CliOptions& options, nn::quant::QuantizationMode mode);

/// The --help text listing every flag.
std::string resnet18_cli_help(const std::string& program);

}  // namespace veil::app
