#pragma once
// Files that are never half-written: atomic writes (a temporary sibling, then rename) and
// whole-file reads that refuse trailing bytes. Every saver and loader of veil goes through them.
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace veil {

/// Writes through `write` into `path`.tmp-<random>, then renames it over `path`. On any
/// failure (IoError, or whatever `write` throws) the temporary file is removed and `path` is
/// left as it was.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

/// Same with the whole content given.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// Opens `path` (IoError naming `what`), runs `read` on it, and throws FormatError if bytes
/// follow the object.
void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read);

}  // namespace veil
