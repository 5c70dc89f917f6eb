#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "veil/app/data/shared_data.hpp"

namespace veil::app {
namespace {

namespace fs = std::filesystem;

// VEIL_SHARED_DATA unset for one test, restored after it.
class WithoutSharedDataVariable : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* value = std::getenv("VEIL_SHARED_DATA")) saved_ = value;
    unsetenv("VEIL_SHARED_DATA");
    root_ = fs::temp_directory_path() / ("veil_shared_data_" + std::to_string(getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "repo" / "build");
  }
  void TearDown() override {
    if (saved_) setenv("VEIL_SHARED_DATA", saved_->c_str(), 1);
    fs::remove_all(root_);
  }
  std::optional<std::string> saved_;
  fs::path root_;
};

TEST_F(WithoutSharedDataVariable, FindsTheFolderBesideAnAncestorAndItsDefaultDataset) {
  EXPECT_FALSE(find_shared_data_dir({root_ / "repo" / "build"}));  // no data yet
  const fs::path data = root_ / "shared" / "data";
  fs::create_directories(default_images_dir(data));
  fs::create_directories(default_labels_csv(data).parent_path());
  const auto found = find_shared_data_dir({root_ / "repo" / "build"});
  ASSERT_TRUE(found);
  EXPECT_EQ(fs::weakly_canonical(*found), fs::weakly_canonical(data));
  EXPECT_EQ(default_images_dir(data), data / "imagenet-val100");
  EXPECT_EQ(default_labels_csv(data), data / "labels" / "xiaobozhao_val100.csv");
}

}  // namespace
}  // namespace veil::app
