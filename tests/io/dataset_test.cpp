// Datasets: the 100 shared validation images through the folder and through a shard
// packed by pack_shard must yield identical (key, label, tensor) items; damaged shards
// report per item; shuffles are reproducible.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

#include "crafted_files.hpp"
#include "io_test_paths.hpp"
#include "veil/common/error.hpp"
#include "veil/io/class_names.hpp"
#include "veil/io/csv.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

using testing::shared_data_dir;

std::filesystem::path temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("veil_io_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::create_directories(dir);
  return dir;
}

std::vector<LabelledImage> drain(Dataset& dataset) {
  std::vector<LabelledImage> out;
  LabelledImage sample;
  while (dataset.next(sample)) out.push_back(sample);
  return out;
}

std::vector<std::string> keys_of(const std::vector<LabelledImage>& samples) {
  std::vector<std::string> keys;
  for (const auto& s : samples) keys.push_back(s.key);
  return keys;
}

class Val100 : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = shared_data_dir() / "imagenet-val100";
    labels_ = shared_data_dir() / "labels" / "xiaobozhao_val100.csv";
    if (!std::filesystem::exists(labels_)) GTEST_SKIP() << labels_ << " is absent (../shared/data not present)";
  }
  std::filesystem::path images_, labels_;
};

TEST_F(Val100, PackedShardYieldsTheSameItemsAsTheFolder) {
  const auto dir = temp_dir("pack");
  const auto shard = dir / "imagenet1k-validation-00000.tar";
  EXPECT_EQ(pack_shard(images_, labels_, shard), 100u);
  auto folder = drain(*make_folder_dataset(images_, labels_));
  auto packed = drain(*make_shard_dataset(dir));
  ASSERT_EQ(folder.size(), 100u);
  ASSERT_EQ(packed.size(), 100u);
  const PreprocessConfig config;
  for (std::size_t i = 0; i < folder.size(); ++i) {
    SCOPED_TRACE(folder[i].key);
    EXPECT_TRUE(folder[i].ok()) << folder[i].error;
    EXPECT_TRUE(packed[i].ok()) << packed[i].error;
    EXPECT_EQ(packed[i].key, folder[i].key);
    EXPECT_EQ(packed[i].label, folder[i].label);
    if (i % 10 == 0) {  // decoding all 200 would double the suite's time for no new coverage
      ASSERT_TRUE(prepare_image(folder[i], config));
      ASSERT_TRUE(prepare_image(packed[i], config));
      EXPECT_EQ(folder[i].image.data, packed[i].image.data);
    } else {
      EXPECT_EQ(packed[i].encoded, folder[i].encoded);
    }
  }
  EXPECT_EQ(folder[0].key, "ILSVRC2012_val_00000001");
  EXPECT_EQ(folder[0].label, 65);  // sea snake, first row of the CSV

  // A seeded shuffle is the same permutation for both sources and across runs.
  DatasetOptions options;
  options.shuffle_seed = 42;
  options.num_images = 17;
  const auto shuffled_folder = keys_of(drain(*make_folder_dataset(images_, labels_, options)));
  const auto shuffled_shard = keys_of(drain(*make_shard_dataset(dir, options)));
  EXPECT_EQ(shuffled_folder.size(), 17u);
  EXPECT_EQ(shuffled_folder, shuffled_shard);
  EXPECT_EQ(shuffled_folder, keys_of(drain(*make_folder_dataset(images_, labels_, options))));
  const auto file_order = keys_of(folder);
  EXPECT_NE(shuffled_folder, std::vector<std::string>(file_order.begin(), file_order.begin() + 17));
  options.shuffle_seed = 43;
  EXPECT_NE(shuffled_folder, keys_of(drain(*make_shard_dataset(dir, options))));
  options.shuffle_seed.reset();
  options.num_images = 5;
  EXPECT_EQ(drain(*make_shard_dataset(dir, options)).size(), 5u);
  std::filesystem::remove_all(dir);
}

TEST(ShardDataset, DamagedItemsAreReportedNotFatal) {
  const auto dir = temp_dir("damaged");
  const std::vector<std::uint8_t> not_an_image = {'n', 'o', 'p', 'e'};
  const std::vector<std::uint8_t> label = {'3', '\n'};
  const std::vector<std::uint8_t> bad_label = {'c', 'a', 't'};
  {
    TarWriter writer(dir / "shard-00000.tar");
    writer.add("a.jpg", not_an_image);  // decodes badly
    writer.add("a.cls", label);
    writer.add("b.jpg", not_an_image);  // no .cls
    writer.add("c.jpg", not_an_image);
    writer.add("c.cls", bad_label);  // non-numeric label
    writer.add("d.cls", label);      // no image
  }
  auto samples = drain(*make_shard_dataset(dir));
  ASSERT_EQ(samples.size(), 4u);
  EXPECT_TRUE(samples[0].ok());
  EXPECT_EQ(samples[0].label, 3);
  EXPECT_FALSE(prepare_image(samples[0], PreprocessConfig{}));
  EXPECT_NE(samples[0].error.find("not a JPEG or PNG"), std::string::npos) << samples[0].error;
  EXPECT_NE(samples[1].error.find("no b.cls"), std::string::npos) << samples[1].error;
  EXPECT_NE(samples[2].error.find("label 'cat'"), std::string::npos) << samples[2].error;
  EXPECT_NE(samples[3].error.find("no .jpg"), std::string::npos) << samples[3].error;
  std::filesystem::remove_all(dir);
}

TEST(ShardDataset, TruncatedShardThrows) {
  const auto dir = temp_dir("truncated");
  const std::vector<std::uint8_t> payload(3000, 0xFF);
  {
    TarWriter writer(dir / "s.tar");
    writer.add("a.jpg", payload);
    writer.add("a.cls", std::vector<std::uint8_t>{'1'});
  }
  std::filesystem::resize_file(dir / "s.tar", 1500);
  auto dataset = make_shard_dataset(dir);
  LabelledImage sample;
  EXPECT_THROW(dataset->next(sample), FormatError);
  EXPECT_THROW(make_shard_dataset(temp_dir("no_shards")), IoError);
  std::filesystem::remove_all(dir);
}

TEST(ShardDataset, ImageMemberClaimingMoreThanAnyImageIsRefusedUnread) {
  VEIL_SKIP_UNDER_ASAN();
  // A 3000-byte member whose header claims 1 GiB (octal 10000000000): refused by its claim,
  // under a 512 MiB address-space cap, not read into a 1 GiB buffer.
  const auto dir = temp_dir("claims");
  {
    TarWriter writer(dir / "s.tar");
    writer.add("a.jpg", std::vector<std::uint8_t>(3000, 0xFF));
    writer.add("a.cls", std::vector<std::uint8_t>{'1'});
  }
  std::vector<std::uint8_t> tar = read_file_bytes(dir / "s.tar");
  std::memcpy(tar.data() + 124, "10000000000", 12);  // size field, NUL-terminated
  std::memset(tar.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (std::size_t i = 0; i < 512; ++i) sum += tar[i];
  std::snprintf(reinterpret_cast<char*>(tar.data() + 148), 8, "%06o", sum);
  std::ofstream(dir / "s.tar", std::ios::binary)
      .write(reinterpret_cast<const char*>(tar.data()), static_cast<std::streamsize>(tar.size()));
  const int code = testing::exit_code_under_memory_limit(std::uint64_t{512} << 20, [&] {
    LabelledImage sample;
    try {
      make_shard_dataset(dir)->next(sample);
      return 1;
    } catch (const FormatError& e) {
      return std::string(e.what()).find("more than the " + std::to_string(kMaxImageFileBytes)) == std::string::npos ? 2
                                                                                                                    : 0;
    }
  });
  EXPECT_EQ(code, 0);
  std::filesystem::remove_all(dir);
}

TEST(FolderDataset, BadCsvNamesFileAndLine) {
  const auto dir = temp_dir("csv");
  { std::ofstream(dir / "labels.csv") << "file,label\nx.jpg,12\ny.jpg,twelve\n"; }
  try {
    make_folder_dataset(dir, dir / "labels.csv");
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("labels.csv:3"), std::string::npos) << e.what();
  }
  { std::ofstream(dir / "labels.csv") << "file,label\nmissing.jpg,12\n"; }
  auto samples = drain(*make_folder_dataset(dir, dir / "labels.csv"));
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].ok());  // the missing file is reported on its item
  EXPECT_THROW(split_csv_line("\"open", "here"), FormatError);
  EXPECT_EQ(split_csv_line("0,n01440764,\"tench, Tinca tinca\"", "x"),
            (std::vector<std::string>{"0", "n01440764", "tench, Tinca tinca"}));
  std::filesystem::remove_all(dir);
}

TEST(ClassNames, BothFormatsAgree) {
  const auto labels = shared_data_dir() / "labels";
  if (!std::filesystem::exists(labels / "class_index.csv")) GTEST_SKIP() << labels << " is absent";
  const auto from_txt = load_class_names(labels / "imagenet_classes_pytorch_hub.txt");
  const auto from_csv = load_class_names(labels / "class_index.csv");
  ASSERT_EQ(from_txt.size(), 1000u);
  ASSERT_EQ(from_csv.size(), 1000u);
  EXPECT_EQ(from_txt[258], "Samoyed");
  EXPECT_EQ(from_csv[0], "tench, Tinca tinca");
  EXPECT_EQ(find_class_names({shared_data_dir()}), from_txt);
  EXPECT_THROW(find_class_names({"/nonexistent/veil"}), IoError);
  EXPECT_THROW(load_class_names("/nonexistent/veil/classes.txt"), IoError);
}

}  // namespace
}  // namespace veil::io
