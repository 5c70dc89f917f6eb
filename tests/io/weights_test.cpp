// Weights lookup and sha256 verification. The official file is not on this machine,
// so the refusal paths are tested with impostor files named like it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "veil/common/error.hpp"
#include "veil/io/weights.hpp"

namespace veil::io {
namespace {

class Weights : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("veil_io_weights_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const char* home = std::getenv("TORCH_HOME");
    saved_torch_home_ = home ? std::optional<std::string>(home) : std::nullopt;
    setenv("TORCH_HOME", (dir_ / "torch").c_str(), 1);
  }
  void TearDown() override {
    if (saved_torch_home_)
      setenv("TORCH_HOME", saved_torch_home_->c_str(), 1);
    else
      unsetenv("TORCH_HOME");
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path write(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::filesystem::path dir_;
  std::optional<std::string> saved_torch_home_;
};

TEST_F(Weights, Sha256MatchesKnownAnswer) {
  // FIPS 180-2 example: sha256("abc").
  EXPECT_EQ(sha256_file_hex(write(dir_ / "abc", "abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(Weights, ImpostorWithOfficialNameIsRefused) {
  const auto path = write(dir_ / "torch" / "hub" / "checkpoints" / std::string(kResnet18WeightsFile), "not weights");
  EXPECT_EQ(torch_hub_checkpoint_dir(), dir_ / "torch" / "hub" / "checkpoints");
  EXPECT_THROW(find_torchvision_weights(), FormatError);
  EXPECT_THROW(find_torchvision_weights(kResnet18WeightsFile, path), FormatError);
}

TEST_F(Weights, HashPrefixInNameIsChecked) {
  // sha256("abc") starts with ba7816bf.
  EXPECT_NO_THROW(find_torchvision_weights("x", write(dir_ / "net-ba7816bf.pth", "abc")));
  EXPECT_THROW(find_torchvision_weights("x", write(dir_ / "net-00000000.pth", "abc")), FormatError);
}

TEST_F(Weights, MissingFileSaysWhereAndHow) {
  try {
    find_torchvision_weights(kResnet18WeightsFile, std::nullopt, {dir_ / "shared"});
    FAIL();
  } catch (const IoError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(std::string(kResnet18WeightsUrl)), std::string::npos) << message;
    EXPECT_NE(message.find((dir_ / "torch" / "hub" / "checkpoints").string()), std::string::npos) << message;
    EXPECT_NE(message.find((dir_ / "shared").string()), std::string::npos) << message;
    EXPECT_NE(message.find("--weights PATH"), std::string::npos) << message;
  }
  EXPECT_THROW(find_torchvision_weights(kResnet18WeightsFile, dir_ / "nope.pth"), IoError);
}

TEST_F(Weights, ExtraDirectoriesAreSearchedAfterTheCache) {
  write(dir_ / "extra" / "mine.pth", "abc");
  const auto found = find_torchvision_weights("mine.pth", std::nullopt, {dir_ / "missing", dir_ / "extra"});
  EXPECT_EQ(found.path, dir_ / "extra" / "mine.pth");
  EXPECT_FALSE(found.official_verified);
  write(dir_ / "torch" / "hub" / "checkpoints" / "mine.pth", "abcd");
  EXPECT_EQ(find_torchvision_weights("mine.pth", std::nullopt, {dir_ / "extra"}).path,
            dir_ / "torch" / "hub" / "checkpoints" / "mine.pth");
}

}  // namespace
}  // namespace veil::io
