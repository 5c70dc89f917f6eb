// Decoders against PIL: each fixture image's expected pixels are PIL's
// Image.open(path).convert("RGB") (make_io_fixtures.py).
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "io_test_paths.hpp"
#include "veil/common/error.hpp"
#include "veil/io/image.hpp"

namespace veil::io {
namespace {

using testing::artifacts_dir;

struct Expected {
  std::string name;
  int width, height;
};

std::vector<Expected> read_index() {
  std::vector<Expected> out;
  std::ifstream in(artifacts_dir() / "images" / "index.txt");
  Expected e;
  while (in >> e.name >> e.width >> e.height) out.push_back(e);
  return out;
}

TEST(Image, DecodesLikePil) {
  const auto dir = artifacts_dir() / "images";
  VEIL_REQUIRE_FILE(dir / "index.txt");
  const auto index = read_index();
  ASSERT_GE(index.size(), 12u);
  for (const auto& e : index) {
    SCOPED_TRACE(e.name);
    const Image image = make_image_from_file(dir / e.name);
    EXPECT_EQ(image.width, e.width);
    EXPECT_EQ(image.height, e.height);
    const auto expected = read_file_bytes(dir / (e.name + ".rgb"));
    ASSERT_EQ(image.rgb.size(), expected.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) mismatches += image.rgb[i] != expected[i];
    EXPECT_EQ(mismatches, 0u);
  }
}

std::vector<std::uint8_t> fixture_bytes(const std::string& name) {
  return read_file_bytes(artifacts_dir() / "images" / name);
}

TEST(Image, TruncatedFilesAreFormatErrors) {
  for (const std::string name : {"rgb.jpg", "cmyk.jpg", "rgb.png", "p.png", "interlaced.png"}) {
    const auto path = artifacts_dir() / "images" / name;
    VEIL_REQUIRE_FILE(path);
    const auto bytes = fixture_bytes(name);
    for (std::size_t size = 0; size + 2 < bytes.size(); size += 23) {
      Image out;
      EXPECT_THROW(decode_image(std::span(bytes.data(), size), name, out), FormatError) << name << " cut at " << size;
    }
  }
}

TEST(Image, GarbageAfterHeaderIsAFormatErrorOrAnImageNeverACrash) {
  const auto path = artifacts_dir() / "images" / "rgb.jpg";
  VEIL_REQUIRE_FILE(path);
  std::mt19937 rng(1234);
  for (const std::string name : {"rgb.jpg", "rgb.png"}) {
    const auto original = fixture_bytes(name);
    for (int trial = 0; trial < 200; ++trial) {
      auto bytes = original;
      // Keep the signature, scramble a run of bytes somewhere after it.
      const std::size_t start = 8 + rng() % (bytes.size() - 40);
      for (std::size_t i = start; i < start + 16; ++i) bytes[i] = static_cast<std::uint8_t>(rng());
      Image out;
      try {
        decode_image(bytes, name, out);
        EXPECT_EQ(out.rgb.size(), static_cast<std::size_t>(out.width) * out.height * 3);
      } catch (const FormatError&) {
      }
    }
  }
}

TEST(Image, UnknownFormatNamesTheFile) {
  const std::vector<std::uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0};
  Image out;
  try {
    decode_image(gif, "clip.gif", out);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("clip.gif"), std::string::npos);
  }
  EXPECT_THROW(make_image_from_file("/nonexistent/veil.jpg"), IoError);
}

TEST(Image, JpegHeaderFollowedByGarbageIsRefused) {
  std::vector<std::uint8_t> bytes = {0xFF, 0xD8, 0xFF, 0xE0};
  std::mt19937 rng(7);
  for (int i = 0; i < 4000; ++i) bytes.push_back(static_cast<std::uint8_t>(rng()));
  Image out;
  EXPECT_THROW(decode_jpeg(bytes, "garbage.jpg", out), FormatError);
}

}  // namespace
}  // namespace veil::io
