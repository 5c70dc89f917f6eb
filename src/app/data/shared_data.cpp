#include "veil/app/data/shared_data.hpp"

#include <cstdlib>

namespace veil::app {

std::filesystem::path default_images_dir(const std::filesystem::path& data_dir) { return data_dir / "imagenet-val100"; }

std::filesystem::path default_labels_csv(const std::filesystem::path& data_dir) {
  return data_dir / "labels" / "xiaobozhao_val100.csv";
}

std::optional<std::filesystem::path> find_shared_data_dir(const std::vector<std::filesystem::path>& starts) {
  auto usable = [](const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_directory(default_images_dir(p), ec) &&
           std::filesystem::is_directory(default_labels_csv(p).parent_path(), ec);
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

}  // namespace veil::app
