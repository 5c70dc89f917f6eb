#pragma once
// Small text files of the command-line programs (JSON documents) and the file sizes their
// steps report. Writes go through veil::write_file_atomically (veil/common/file_io.hpp).
#include <filesystem>
#include <string>

namespace veil::runtime::cli {

/// The whole file; IoError naming the path when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

/// "model.qcir: 12.3 MiB" for the step reports (the size of the file as written).
std::string describe_file(const std::filesystem::path& path);

}  // namespace veil::runtime::cli
