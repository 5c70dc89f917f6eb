#include "veil/app/steps/files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "veil/app/report/fhe_report.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::app {

std::string read_text_file(const std::filesystem::path& path) {
  return read_file_limited(path, "text", kMaxTextFileBytes);
}

namespace {

// Creates and removes a probe file: permission bits alone say nothing for root, and
// read-only or virtual file systems (/proc) refuse what access(2) allows.
void require_writable_folder(const std::filesystem::path& folder, const std::string& what,
                             const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error))
    throw IoError(what + " '" + path.string() + "': '" + folder.string() + "' is not a folder");
  const std::filesystem::path probe = folder / (".veil-write-probe-" + std::to_string(getpid()));
  const int fd = open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0)
    throw IoError(what + " '" + path.string() + "': cannot write in folder '" + folder.string() +
                  "': " + std::strerror(errno));
  close(fd);
  unlink(probe.c_str());
}

std::filesystem::path folder_of(const std::filesystem::path& path) {
  return path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
}

}  // namespace

void require_writable_file(const std::filesystem::path& path, const std::string& what) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw IoError(what + " '" + path.string() + "' is a folder, expected a file name");
  require_writable_folder(folder_of(path), what, path);
}

void require_writable_directory(const std::filesystem::path& path, const std::string& what) {
  std::error_code error;
  std::filesystem::path existing = path;
  // The nearest existing ancestor is the folder that create_directories will write into.
  while (!std::filesystem::exists(existing, error) && existing.has_relative_path() && existing != folder_of(existing))
    existing = folder_of(existing);
  require_writable_folder(existing, what, path);
}

void refuse_to_replace_client_key(const std::filesystem::path& path, const std::string& what, bool force,
                                  bool any_file) {
  if (force) return;
  std::error_code error;
  if (any_file ? std::filesystem::exists(path, error) : fhe::holds_client_key(path))
    throw IoError(what + ": '" + path.string() + "' " + (any_file ? "exists" : "holds a client key") +
                  ": replacing the secret key would make everything encrypted under it undecryptable; choose another "
                  "path, or pass --force to replace it");
}

std::string describe_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return path.string() + ": " + (ec ? std::string("size unknown") : format_bytes(size));
}

}  // namespace veil::app
