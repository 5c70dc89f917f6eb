// Issue 14: the labels CSV and the class-name files were read with std::getline and no cap: a
// path like /dev/zero grew memory without bound, one line of any length was taken whole. Each
// is now refused with a FormatError naming the file and the limit, under a memory cap.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "common/memory_limit.hpp"
#include "veil/common/error.hpp"
#include "veil/io/class_names.hpp"
#include "veil/io/dataset.hpp"

namespace veil::io {
namespace {

using veil::testing::exit_code_under_memory_limit;

constexpr std::uint64_t kMemoryCap = std::uint64_t{512} << 20;  // test binary + a few 100 MB

class HostileTextFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("veil_hostile_text_" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path file(const std::string& name, const std::string& content) const {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return dir_ / name;
  }

  std::filesystem::path dir_;
};

// Exit code 0: `load` ends in a FormatError naming `path` and `limit`; 1 another message, 2 none.
int refused_naming(const std::function<void()>& load, const std::filesystem::path& path, const std::string& limit) {
  try {
    load();
  } catch (const FormatError& e) {
    const std::string message = e.what();
    if (message.find(path.string()) != std::string::npos && message.find(limit) != std::string::npos) return 0;
    ADD_FAILURE() << message;
    return 1;
  }
  return 2;
}

TEST_F(HostileTextFiles, DevZeroIsRefusedUnderAMemoryCap) {
  VEIL_SKIP_UNDER_ASAN();
  const std::filesystem::path zero = "/dev/zero";
  const std::string csv_name = dir_ / "class_index.csv";
  std::filesystem::create_symlink(zero, csv_name);  // the CSV form of the class names
  EXPECT_EQ(
      exit_code_under_memory_limit(
          kMemoryCap,
          [&] { return refused_naming([&] { make_folder_dataset(dir_, zero); }, zero, "longer than 4096 bytes"); }),
      0);
  EXPECT_EQ(
      exit_code_under_memory_limit(
          kMemoryCap, [&] { return refused_naming([&] { load_class_names(zero); }, zero, "longer than 1024 bytes"); }),
      0);
  EXPECT_EQ(
      exit_code_under_memory_limit(
          kMemoryCap,
          [&] { return refused_naming([&] { load_class_names(csv_name); }, csv_name, "longer than 1024 bytes"); }),
      0);
}

TEST_F(HostileTextFiles, OneLongLineIsRefusedByItsLength) {
  const std::string line(64 << 10, 'x');
  const auto csv = file("labels.csv", "file,label\n" + line + ",1\n");
  EXPECT_EQ(refused_naming([&] { make_folder_dataset(dir_, csv); }, csv, "line 2 is longer than 4096 bytes"), 0);
  const auto names = file("imagenet_classes_pytorch_hub.txt", "tench\n" + line + "\n");
  EXPECT_EQ(refused_naming([&] { load_class_names(names); }, names, "line 2 is longer than 1024 bytes"), 0);
}

TEST_F(HostileTextFiles, LineCountsAreBounded) {
  // Blank rows are skipped, so only the count stops 2^21 of them.
  const auto csv = file("labels.csv", "file,label\n" + std::string(std::size_t{1} << 21, '\n'));
  EXPECT_EQ(refused_naming([&] { make_folder_dataset(dir_, csv); }, csv, "more than 2097152 lines"), 0);
  std::string many;
  for (int i = 0; i <= 100'000; ++i) many += "c\n";
  const auto names = file("imagenet_classes_pytorch_hub.txt", many);
  EXPECT_EQ(refused_naming([&] { load_class_names(names); }, names, "more than 100000 lines"), 0);
}

// Windows line ends: the header's "label\r" used to be refused as another header.
TEST_F(HostileTextFiles, CrLfLabelsCsvReads) {
  std::ofstream(dir_ / "a.jpg") << "not decoded here";
  auto dataset = make_folder_dataset(dir_, file("labels.csv", "file,label\r\na.jpg,7\r\n"));
  ASSERT_EQ(dataset->size(), 1u);
  LabelledImage sample;
  ASSERT_TRUE(dataset->next(sample));
  EXPECT_EQ(sample.key, "a");
  EXPECT_EQ(sample.label, 7);
}

}  // namespace
}  // namespace veil::io
