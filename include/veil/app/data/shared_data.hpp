#pragma once
// The repository's data layout, as the programs find it when no dataset is given: a shared data
// folder beside the repository (../shared/data) holding the 100 ImageNet validation images and
// their labels.
#include <filesystem>
#include <optional>
#include <vector>

namespace veil::app {

/// The shared data folder (one holding imagenet-val100/ and labels/): $VEIL_SHARED_DATA if
/// set, else the first of START/../shared/data or START/shared/data for START in each
/// given folder and its ancestors. Empty when none exists.
std::optional<std::filesystem::path> find_shared_data_dir(const std::vector<std::filesystem::path>& starts);

/// The default dataset in a shared data folder: its image folder and labels CSV.
std::filesystem::path default_images_dir(const std::filesystem::path& data_dir);
std::filesystem::path default_labels_csv(const std::filesystem::path& data_dir);

}  // namespace veil::app
