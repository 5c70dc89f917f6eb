// Tar reading and writing: round trips through TarWriter, archives written by Python's
// tarfile (GNU and pax long names), and damaged archives.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "io_test_paths.hpp"
#include "veil/common/error.hpp"
#include "veil/io/image.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("veil_io_" + std::to_string(::getpid()) + "_" + name);
}

std::vector<std::pair<std::string, std::vector<std::uint8_t>>> read_all(std::istream& in, const std::string& name) {
  TarReader reader(in, name);
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> out;
  TarMember member;
  while (reader.next(member)) {
    std::vector<std::uint8_t> data;
    reader.read_data(data);
    EXPECT_EQ(data.size(), member.size);
    out.emplace_back(member.name, std::move(data));
  }
  return out;
}

std::vector<std::pair<std::string, std::vector<std::uint8_t>>> make_members() {
  std::mt19937 rng(99);
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> members;
  for (std::size_t size : {0u, 1u, 511u, 512u, 513u, 5000u}) {
    std::vector<std::uint8_t> data(size);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    members.emplace_back("member_" + std::to_string(size) + ".bin", data);
  }
  members.emplace_back(std::string(150, 'n') + "/long.cls", std::vector<std::uint8_t>{'7'});
  return members;
}

TEST(Tar, WriterRoundTripsThroughReader) {
  const auto path = temp_path("roundtrip.tar");
  const auto members = make_members();
  {
    TarWriter writer(path);
    for (const auto& [name, data] : members) writer.add(name, data);
    writer.finish();
  }
  EXPECT_EQ(std::filesystem::file_size(path) % 512, 0u);
  std::ifstream in(path, std::ios::binary);
  EXPECT_EQ(read_all(in, path.string()), members);
  std::filesystem::remove(path);
}

TEST(Tar, SkipsUnreadDataAndReadsAtOffsets) {
  const auto path = temp_path("skip.tar");
  const auto members = make_members();
  {
    TarWriter writer(path);
    for (const auto& [name, data] : members) writer.add(name, data);
  }  // the destructor finishes the archive
  std::ifstream in(path, std::ios::binary);
  TarReader reader(in, path.string());
  TarMember member;
  std::vector<TarMember> seen;
  while (reader.next(member)) seen.push_back(member);  // data never read
  ASSERT_EQ(seen.size(), members.size());
  for (std::size_t i = seen.size(); i-- > 0;) {
    std::vector<std::uint8_t> data;
    reader.read_at(seen[i].data_offset, seen[i].size, data);
    EXPECT_EQ(data, members[i].second) << seen[i].name;
  }
  std::filesystem::remove(path);
}

TEST(Tar, ReadsPythonTarfileLongNames) {
  for (const char* file : {"gnu_longname.tar", "pax_longname.tar"}) {
    const auto path = testing::artifacts_dir() / "tars" / file;
    VEIL_REQUIRE_FILE(path);
    std::ifstream in(path, std::ios::binary);
    const auto members = read_all(in, file);
    ASSERT_EQ(members.size(), 4u) << file;
    const std::string dir = std::string(60, 'd') + "/" + std::string(60, 'e') + "/";
    EXPECT_EQ(members[0].first, dir + "ILSVRC2012_val_00000001.jpg") << file;
    EXPECT_EQ(members[1].first, dir + "ILSVRC2012_val_00000001.cls") << file;
    EXPECT_EQ(std::string(members[1].second.begin(), members[1].second.end()), "65");
    EXPECT_EQ(members[0].second,
              read_file_bytes(testing::shared_data_dir() / "imagenet-val100" / "ILSVRC2012_val_00000001.JPEG"));
  }
}

std::string make_archive_bytes() {
  const auto path = temp_path("bytes.tar");
  {
    TarWriter writer(path);
    for (const auto& [name, data] : make_members()) writer.add(name, data);
  }
  const auto bytes = read_file_bytes(path);
  std::filesystem::remove(path);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Tar, TruncatedArchivesAreFormatErrors) {
  const std::string bytes = make_archive_bytes();
  // Any cut before the first end-of-archive block is complete must be noticed,
  // including cuts exactly between members (every 512th size is tried).
  for (std::size_t size = 0; size < bytes.size() - 512; ++size) {
    std::istringstream in(bytes.substr(0, size));
    EXPECT_THROW(read_all(in, "cut"), FormatError) << "cut at " << size;
  }
}

TEST(Tar, BadChecksumAndBadNumbersAreFormatErrors) {
  std::string bytes = make_archive_bytes();
  std::string bad_sum = bytes;
  bad_sum[10] ^= 1;  // inside the first member's name
  std::istringstream in1(bad_sum);
  EXPECT_THROW(read_all(in1, "sum"), FormatError);
  std::string bad_size = bytes;
  bad_size[124] = 'x';
  std::istringstream in2(bad_size);
  EXPECT_THROW(read_all(in2, "size"), FormatError);
}

TEST(Tar, WriterRefusesEmptyNames) {
  const auto path = temp_path("empty.tar");
  TarWriter writer(path);
  EXPECT_THROW(writer.add("", {}), InvalidArgument);
  writer.finish();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace veil::io
