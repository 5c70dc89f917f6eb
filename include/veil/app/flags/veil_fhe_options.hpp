#pragma once
// Command line of apps/veil_fhe: the client/server split of the encrypted ResNet-18 as
// separate steps through files (compile, keygen, encrypt, run, decrypt). Flags follow
// resnet18_fhe's conventions (app/flags/flag_table.hpp); each subcommand accepts only its own flags.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "veil/app/flags/mode_reads.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app {

enum class VeilFheCommand { compile, keygen, encrypt, run, decrypt };

enum class NetworkOption { resnet18, small };  // small: nn::make_small_resnet, synthetic calibration

struct VeilFheOptions {
  VeilFheCommand command = VeilFheCommand::compile;
  bool help = false;

  // compile
  NetworkOption network = NetworkOption::resnet18;
  std::optional<std::filesystem::path> weights;
  /// --quant-mode (one mode, improved by default), --n-bits, --rounding-method; rounding_bits is
  /// the mode's (reads) once parsed.
  nn::quant::QuantizationConfig quantization{.mode = nn::quant::QuantizationMode::Improved};
  /// --uniform-parameters (multi_parameter false); p_error and p_error_bits are the mode's (reads)
  /// once parsed.
  compiler::CompileOptions compile;
  ModeReads reads;  // --rounding-bits, --p-error, --p-error-bits: the modes' defaults until given
  std::size_t calibration_images = 10;
  std::int64_t crop = 0;  // S: ResNet-18 for S x S centre crops; 0: the full 224 image

  // images: compile's calibration set, encrypt's input (--image, or --index in a dataset)
  std::optional<std::filesystem::path> dataset_cache_dir, images, labels, image;
  std::optional<std::size_t> index;

  // files
  std::optional<std::filesystem::path> spec, client_key, model, server_key, input, out;

  std::size_t threads = 0;  // 0: all cores
  bool use_gpu = false;
  bool distributed = false;     // run: split the batches across the MPI job's ranks
  double rank_timeout = 600.0;  // run --distributed: seconds before a silent rank stops the job
  bool progress = true;
  bool force =
      false;  // --force: replace an existing secret key (keygen's KEYS/client.key, or a client key named by --out)
};

/// args[0] is the subcommand, or --help / -h for the general usage (help set, no command
/// parsed). Throws InvalidArgument for a missing or unknown subcommand, a flag the subcommand
/// does not take, a bad value or a missing required flag (naming them).
VeilFheOptions parse_veil_fhe_cli(std::span<const std::string> args);

/// Usage of every subcommand, or of one with its flags.
std::string veil_fhe_help(const std::string& program, std::optional<VeilFheCommand> command = std::nullopt);

/// "compile", "keygen", ...
std::string command_name(VeilFheCommand command);

}  // namespace veil::app
