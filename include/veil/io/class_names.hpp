#pragma once
// ImageNet-1k class names in torchvision's order.
#include <filesystem>
#include <string>
#include <vector>

namespace veil::io {

/// Reads names from imagenet_classes_pytorch_hub.txt (one per line) or
/// class_index.csv (`index,wnid,name`, indices 0..n-1 in order). Throws IoError
/// when the file is absent (saying which files are accepted) and FormatError on a
/// malformed line.
std::vector<std::string> load_class_names(const std::filesystem::path& path);

/// Looks for imagenet_classes_pytorch_hub.txt, then class_index.csv, in each of `dirs`
/// (and their labels/ subfolder). Throws IoError listing what was searched.
std::vector<std::string> find_class_names(const std::vector<std::filesystem::path>& dirs);

}  // namespace veil::io
