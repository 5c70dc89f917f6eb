#pragma once
// Files that are never half-written: atomic writes (a temporary sibling, then rename) and
// whole-file reads that refuse trailing bytes. Every saver and loader of veil goes through them.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace veil {

/// Who may read a file veil writes.
enum class FileAccess {
  shared,      // the process's umask decides (0666 & ~umask)
  owner_only,  // 0600 from the moment the file exists: secret keys
};

/// Writes through `write` into `path`.tmp-<random> (created with `access`), flushes it to disk
/// (fsync), then renames it over `path` and syncs the folder, so that after a crash `path` holds
/// the old content or the whole new one. On any failure (IoError, or whatever `write` throws) the
/// temporary file is removed and `path` is left as it was.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
                           FileAccess access = FileAccess::shared);

/// Same with the whole content given.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// Opens `path` (IoError naming `what`), runs `read` on it, and throws FormatError if bytes
/// follow the object.
void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read);

/// The whole of `path` when it holds at most `max_bytes`. A regular file is refused by its size
/// before anything is allocated; other files (pipes, /dev/zero) are read in 1 MiB chunks and
/// refused as soon as they pass the limit. Throws IoError when `path` cannot be opened or read
/// (naming `what`), FormatError when it is larger than `max_bytes`, naming both sizes.
std::string read_file_limited(const std::filesystem::path& path, std::string_view what, std::uint64_t max_bytes);

/// The rest of `in`, read in 1 MiB chunks; FormatError naming `name` as soon as it passes
/// `max_bytes`, IoError on a stream error.
std::string read_stream_limited(std::istream& in, const std::string& name, std::uint64_t max_bytes);

}  // namespace veil
