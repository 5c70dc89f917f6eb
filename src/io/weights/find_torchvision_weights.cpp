// Weights lookup as torch.hub does it, plus torchvision's naming convention: a file
// `<arch>-<first 8 hex of sha256>.pth` carries the prefix of its own digest.
#include <cstdlib>
#include <regex>

#include "veil/common/error.hpp"
#include "veil/io/weights.hpp"

namespace veil::io {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

WeightsFile verify(const std::filesystem::path& path) {
  WeightsFile out{path, sha256_file_hex(path), false};
  const std::string file_name = path.filename().string();
  static const std::regex kHashedName(R"(^.+-([0-9a-f]{8,})\.pth$)");
  std::smatch match;
  if (std::regex_match(file_name, match, kHashedName) && out.sha256.rfind(match[1].str(), 0) != 0)
    throw FormatError(path.string() + ": sha256 is " + out.sha256 +
                      " but the file name promises a digest starting with " + match[1].str() +
                      "; the file is corrupt or not the published checkpoint (re-download it from " +
                      std::string(kResnet18WeightsUrl) + ")");
  if (file_name == kResnet18WeightsFile && out.sha256 != kResnet18WeightsSha256)
    throw FormatError(path.string() + ": sha256 is " + out.sha256 + ", expected the published " +
                      std::string(kResnet18WeightsSha256));
  out.official_verified = out.sha256 == kResnet18WeightsSha256;
  return out;
}

}  // namespace

std::filesystem::path torch_hub_checkpoint_dir() {
  std::filesystem::path torch_home;
  if (const auto home = env("TORCH_HOME"); !home.empty()) {
    torch_home = home;
  } else if (const auto cache = env("XDG_CACHE_HOME"); !cache.empty()) {
    torch_home = std::filesystem::path(cache) / "torch";
  } else {
    torch_home = std::filesystem::path(env("HOME")) / ".cache" / "torch";
  }
  return torch_home / "hub" / "checkpoints";
}

WeightsFile find_torchvision_weights(std::string_view file_name,
                                     const std::optional<std::filesystem::path>& explicit_path,
                                     const std::vector<std::filesystem::path>& extra_dirs) {
  if (explicit_path) {
    if (std::filesystem::is_directory(*explicit_path))
      throw IoError("weights file " + explicit_path->string() +
                    " (given with --weights) is a directory, expected a file");
    if (!std::filesystem::is_regular_file(*explicit_path))
      throw IoError("weights file " + explicit_path->string() + " (given with --weights) does not exist");
    return verify(*explicit_path);
  }
  std::vector<std::filesystem::path> candidates{torch_hub_checkpoint_dir() / file_name};
  for (const auto& dir : extra_dirs) candidates.push_back(dir / file_name);
  std::string searched;
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(candidate)) return verify(candidate);
    searched.append("\n  ").append(candidate.string());
  }
  throw IoError("pretrained weights " + std::string(file_name) + " not found; looked in:" + searched +
                "\nThis machine cannot download them. Fetch https://download.pytorch.org/models/" +
                std::string(file_name) + " elsewhere and copy it to " +
                (torch_hub_checkpoint_dir() / file_name).string() +
                " (torch's cache, see TORCH_HOME), or pass --weights PATH to use another checkpoint.");
}

}  // namespace veil::io
