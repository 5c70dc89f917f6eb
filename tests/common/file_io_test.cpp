// Bounded reads (issue 14): a file is refused by its size before it is read, an endless or
// non-seekable one as soon as it passes the limit; both name the limit.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"

namespace veil {
namespace {

std::filesystem::path scratch_file(const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("veil_file_io_test_" + std::to_string(getpid()));
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string format_error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no FormatError)";
}

TEST(ReadFileLimited, ReadsAFileUpToTheLimitAndRefusesOneByteMore) {
  const auto path = scratch_file("0123456789");
  EXPECT_EQ(read_file_limited(path, "test", 10), "0123456789");
  const std::string what = format_error_of([&] { read_file_limited(path, "test", 9); });
  EXPECT_NE(what.find("holds 10 bytes, more than its limit of 9"), std::string::npos) << what;
  std::filesystem::remove(path);
}

TEST(ReadFileLimited, EndlessFilesStopAtTheLimit) {
  const std::string what = format_error_of([] { read_file_limited("/dev/zero", "test", 3 << 20); });
  EXPECT_NE(what.find("more than " + std::to_string(3 << 20)), std::string::npos) << what;
  std::istringstream stream(std::string(100, 'x'));
  EXPECT_EQ(read_stream_limited(stream, "stream", 100).size(), 100u);
  std::istringstream longer(std::string(101, 'x'));
  EXPECT_THROW(read_stream_limited(longer, "stream", 100), FormatError);
}

TEST(ReadFileLimited, FoldersAndMissingFilesAreIoErrors) {
  EXPECT_THROW(read_file_limited(std::filesystem::temp_directory_path(), "test", 100), IoError);
  EXPECT_THROW(read_file_limited("/nonexistent/veil/file", "test", 100), IoError);
}

// Issue 14 item 6: a folder given where a binary artifact is expected is named as a folder (it
// used to read as "read error at offset 0").
TEST(ReadWholeFile, AFolderIsNamedAsAFolder) {
  try {
    read_whole_file(std::filesystem::temp_directory_path(), "client key", [](std::istream&) {});
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory, expected a file"), std::string::npos) << e.what();
  }
}

// Issue 14 item 5: a secret key file is never readable by others, not even while it is written
// (the temporary sibling is created 0600), and a shared file follows the umask.
std::filesystem::perms permissions_during_and_after(FileAccess access) {
  const auto folder = std::filesystem::temp_directory_path() / ("veil_file_access_" + std::to_string(getpid()));
  std::filesystem::create_directories(folder);
  const mode_t previous = umask(022);
  std::filesystem::perms during = std::filesystem::perms::unknown;
  write_file_atomically(
      folder / "key",
      [&](std::ostream& out) {
        out << "secret";
        for (const auto& entry : std::filesystem::directory_iterator(folder)) during = entry.status().permissions();
      },
      access);
  umask(previous);
  const auto after = std::filesystem::status(folder / "key").permissions();
  std::filesystem::remove_all(folder);
  EXPECT_EQ(during, after);
  return after;
}

TEST(WriteFileAtomically, OwnerOnlyFilesAreNeverReadableByOthers) {
  using std::filesystem::perms;
  EXPECT_EQ(permissions_during_and_after(FileAccess::owner_only), perms::owner_read | perms::owner_write);
  EXPECT_EQ(permissions_during_and_after(FileAccess::shared),
            perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
}

}  // namespace
}  // namespace veil
