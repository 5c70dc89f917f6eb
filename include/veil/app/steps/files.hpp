#pragma once
// Small text files of the command-line programs (JSON documents) and the file sizes their
// steps report. Writes go through veil::write_file_atomically (veil/common/file_io.hpp).
#include <cstdint>
#include <filesystem>
#include <string>

namespace veil::app {

/// The programs' JSON documents are a few KB (compile options, client spec): larger text files
/// are refused unread.
inline constexpr std::uint64_t kMaxTextFileBytes = std::uint64_t{1} << 20;

/// The whole file; IoError naming the path when it cannot be read, FormatError when it holds
/// more than kMaxTextFileBytes.
std::string read_text_file(const std::filesystem::path& path);

/// Checks, before any work, that a file can be written at `path`: its folder exists and is
/// writable and `path` is not a folder. IoError naming `what` ("--out") and the reason.
void require_writable_file(const std::filesystem::path& path, const std::string& what);

/// Same for an output folder: an existing writable folder, or one that can be created (its
/// nearest existing ancestor is a writable folder).
void require_writable_directory(const std::filesystem::path& path, const std::string& what);

/// Refuses (IoError naming `what` and the path) to write over a client key: a secret key replaced
/// makes everything encrypted under it undecryptable. keygen refuses any existing client.key
/// (`any_file`), other outputs a file that holds a veil client key (fhe::holds_client_key).
/// `force` (the programs' --force) lets it through.
void refuse_to_replace_client_key(const std::filesystem::path& path, const std::string& what, bool force,
                                  bool any_file = false);

/// "model.qcir: 12.3 MiB" for the step reports (the size of the file as written).
std::string describe_file(const std::filesystem::path& path);

}  // namespace veil::app
