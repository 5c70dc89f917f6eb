#pragma once
// File wrappers around the stream savers and loaders: atomic writes (temporary file, then
// rename) and whole-file reads that refuse trailing bytes.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string_view>

namespace veil::fhe::serialize {

/// Writes through `write` into a temporary file next to `path`, then renames it over `path`.
/// On any failure the temporary file is removed and `path` is left as it was.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/// Opens `path`, runs `read` on it, and throws FormatError if bytes follow the object.
void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read);

}  // namespace veil::fhe::serialize
