#include "veil/common/file_io.hpp"

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

}  // namespace

void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write) {
  const std::filesystem::path temporary = temporary_sibling(path);
  try {
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      if (!out) {
        throw IoError("cannot open '" + temporary.string() + "' for writing: " + std::strerror(errno));
      }
      write(out);
      out.flush();
      if (!out) throw IoError("writing '" + temporary.string() + "' failed (disk full?)");
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) throw IoError("cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + error.message());
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

void read_whole_file(const std::filesystem::path& path, std::string_view what,
                     const std::function<void(std::istream&)>& read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + std::string(what) + " file '" + path.string() + "': " + std::strerror(errno));
  read(in);
  if (in.peek() != std::ifstream::traits_type::eof()) {
    throw FormatError(std::string(what) + " file '" + path.string() + "': trailing bytes after the checksum at offset " +
                      std::to_string(static_cast<long long>(in.tellg())));
  }
}

}  // namespace veil
