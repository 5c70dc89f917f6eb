#include "veil/common/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "veil/common/error.hpp"

namespace veil {

namespace {

std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  std::random_device entropy;
  const std::uint64_t tag = (std::uint64_t{entropy()} << 32) ^ entropy();
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".tmp-%016llx", static_cast<unsigned long long>(tag));
  return std::filesystem::path(path.string() + suffix);
}

/// fsync of `path` opened with `flags`; IoError naming it on failure.
void sync_to_disk(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open '" + path.string() + "' to sync it: " + std::strerror(errno));
  const int synced = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (synced != 0) throw IoError("cannot sync '" + path.string() + "' to disk: " + std::strerror(saved));
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write,
                           FileAccess access) {
  const std::filesystem::path temporary = temporary_sibling(path);
  try {
    // Created here with its final permissions, so a secret is never readable by others, not even
    // between creation and a later chmod.
    const int created = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                               access == FileAccess::owner_only ? 0600 : 0666);
    if (created < 0) throw IoError("cannot create '" + temporary.string() + "': " + std::strerror(errno));
    ::close(created);
    {
      std::ofstream out(temporary, std::ios::binary);
      if (!out) {
        throw IoError("cannot open '" + temporary.string() + "' for writing: " + std::strerror(errno));
      }
      write(out);
      out.flush();
      if (!out) throw IoError("writing '" + temporary.string() + "' failed (disk full?)");
    }
    sync_to_disk(temporary, O_RDONLY);
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error)
      throw IoError("cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + error.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
  // The rename is durable once the folder's entry is.
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  sync_to_disk(folder, O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  write_file_atomically(
      path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw IoError(std::string(what) + " file '" + path.string() + "' is a directory, expected a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + std::string(what) + " file '" + path.string() + "': " + std::strerror(errno));
  read(in);
  if (in.peek() != std::ifstream::traits_type::eof()) {
    throw FormatError(std::string(what) + " file '" + path.string() +
                      "': trailing bytes after the checksum at offset " +
                      std::to_string(static_cast<long long>(in.tellg())));
  }
}

std::string read_stream_limited(std::istream& in, const std::string& name, std::uint64_t max_bytes) {
  constexpr std::uint64_t kChunk = std::uint64_t{1} << 20;
  std::string bytes;
  while (in) {
    const std::size_t have = bytes.size();
    // One byte past the limit is enough to tell a file that holds more.
    bytes.resize(have + (max_bytes - have < kChunk ? max_bytes - have + 1 : kChunk));
    in.read(bytes.data() + have, static_cast<std::streamsize>(bytes.size() - have));
    bytes.resize(have + static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max_bytes)
      throw FormatError(name + " holds more than " + std::to_string(max_bytes) + " bytes, its limit");
  }
  if (in.bad()) throw IoError("reading " + name + " failed: " + std::strerror(errno));
  return bytes;
}

std::string read_file_limited(const std::filesystem::path& path, std::string_view what, std::uint64_t max_bytes) {
  const std::string name = std::string(what) + " file '" + path.string() + "'";
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) throw IoError(name + " is a directory, expected a file");
  if (std::filesystem::is_regular_file(path, error)) {
    const auto size = std::filesystem::file_size(path, error);
    if (!error && size > max_bytes)
      throw FormatError(name + " holds " + std::to_string(size) + " bytes, more than its limit of " +
                        std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + name + ": " + std::strerror(errno));
  return read_stream_limited(in, name, max_bytes);
}

}  // namespace veil
