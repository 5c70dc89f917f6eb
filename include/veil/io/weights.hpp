#pragma once
// Finding torchvision's pretrained weights where torch keeps them, and proving that
// a file is the official one (sha256) before anyone calls its accuracy ImageNet's.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace veil::io {

inline constexpr std::string_view kResnet18WeightsFile = "resnet18-f37072fd.pth";
inline constexpr std::string_view kResnet18WeightsSha256 =
    "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec";
inline constexpr std::string_view kResnet18WeightsUrl = "https://download.pytorch.org/models/resnet18-f37072fd.pth";

struct WeightsFile {
  std::filesystem::path path;
  std::string sha256;              // lowercase hex digest of the file
  bool official_verified = false;  // sha256 equals the published ResNet-18 IMAGENET1K_V1 digest
};

/// torch's checkpoint cache: $TORCH_HOME/hub/checkpoints, else
/// $XDG_CACHE_HOME/torch/hub/checkpoints, else ~/.cache/torch/hub/checkpoints.
std::filesystem::path torch_hub_checkpoint_dir();

/// Lowercase hex sha256 of a file. Throws IoError.
std::string sha256_file_hex(const std::filesystem::path& path);

/// Locates weights: `explicit_path` if given (must exist), else file_name in the torch
/// hub cache, then in each of extra_dirs. A file named like torchvision's
/// `<arch>-<8 hex>.pth` must have a sha256 starting with those 8 hex digits, and the
/// official ResNet-18 file must match its full published digest; a mismatch throws
/// FormatError. When nothing is found, throws IoError saying where to put the file,
/// the download URL, and that --weights PATH selects another file.
WeightsFile find_torchvision_weights(std::string_view file_name = kResnet18WeightsFile,
                                     const std::optional<std::filesystem::path>& explicit_path = std::nullopt,
                                     const std::vector<std::filesystem::path>& extra_dirs = {});

}  // namespace veil::io
