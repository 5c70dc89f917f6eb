// Images crafted against the decoders (issue 14): headers that claim far more pixels than
// the file holds must be refused from the header, under a memory cap, before any allocation.
#include <gtest/gtest.h>

#include "crafted_files.hpp"
#include "io_test_paths.hpp"
#include "veil/common/error.hpp"
#include "veil/io/image.hpp"

namespace veil::io {
namespace {

using testing::Bytes;
using testing::exit_code_under_memory_limit;

void put_be(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = bytes; i-- > 0;) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

// A progressive JPEG header (SOI, DQT, SOF2, SOS of the DC scan) for width x height YCbCr
// and a few bytes of scan data: libjpeg allocates the whole coefficient buffer at start.
Bytes progressive_jpeg_header(int width, int height) {
  Bytes b;
  b.reserve(256);  // GCC 12 warns falsely (-Warray-bounds) on growing a 7-byte vector
  b.insert(b.end(), {0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00});
  b.resize(b.size() + 64, 1);
  b.insert(b.end(), {0xFF, 0xC2, 0x00, 0x11, 0x08});
  put_be(b, height, 2);
  put_be(b, width, 2);
  b.push_back(3);
  for (std::uint8_t id = 1; id <= 3; ++id) b.insert(b.end(), {id, 0x11, 0x00});
  b.insert(b.end(), {0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00});
  b.resize(b.size() + 64, 0x00);
  b.insert(b.end(), {0xFF, 0xD9});
  return b;
}

void put_png_chunk(Bytes& out, const char* type, const Bytes& data) {
  put_be(out, data.size(), 4);
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be(out, crc32(0L, out.data() + start, static_cast<uInt>(out.size() - start)), 4);
}

// A PNG whose IHDR claims width x height RGB and whose IDAT holds one deflated zero byte.
Bytes png_header(std::uint32_t width, std::uint32_t height) {
  Bytes b{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  Bytes ihdr;
  put_be(ihdr, width, 4);
  put_be(ihdr, height, 4);
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, 0});
  put_png_chunk(b, "IHDR", ihdr);
  put_png_chunk(b, "IDAT", Bytes{0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01});
  put_png_chunk(b, "IEND", {});
  return b;
}

// Exit code 0: refused with a FormatError that names the pixel limit.
int refused_for_size(const Bytes& file) {
  Image out;
  try {
    decode_image(file, "crafted", out);
    return 1;
  } catch (const FormatError& e) {
    return std::string(e.what()).find("exceeds the limit") == std::string::npos ? 2 : 0;
  }
}

constexpr std::uint64_t kMemoryCap = std::uint64_t{512} << 20;

TEST(ImageHostile, ProgressiveJpegClaiming65500SquaredIsRefusedFromItsHeader) {
  VEIL_SKIP_UNDER_ASAN();
  const Bytes file = progressive_jpeg_header(65500, 65500);
  EXPECT_LT(file.size(), 256u);
  EXPECT_EQ(exit_code_under_memory_limit(kMemoryCap, [&] { return refused_for_size(file); }), 0);
}

TEST(ImageHostile, PngClaimingAQuarterGigapixelIsRefusedFromItsHeader) {
  VEIL_SKIP_UNDER_ASAN();
  EXPECT_EQ(exit_code_under_memory_limit(kMemoryCap, [&] { return refused_for_size(png_header(16384, 16384)); }), 0);
}

TEST(ImageHostile, SmallCraftedHeadersStillDecodeOrFailCleanly) {
  // The same crafting at a size within the limit reaches the decoders proper (and fails on
  // the missing data): the refusal above is the size check, not a malformed header.
  Image out;
  try {
    decode_image(png_header(1, 1), "tiny.png", out);
    EXPECT_EQ(out.rgb.size(), 3u);
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()).find("exceeds the limit"), std::string::npos) << e.what();
  }
  try {
    decode_image(progressive_jpeg_header(16, 16), "tiny.jpg", out);
  } catch (const FormatError& e) {
    EXPECT_EQ(std::string(e.what()).find("exceeds the limit"), std::string::npos) << e.what();
  }
}

TEST(ImageHostile, EndlessImageFileIsRefusedAtTheFileLimit) {
  try {
    read_file_bytes("/dev/zero");
    FAIL() << "/dev/zero was read";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(kMaxImageFileBytes)), std::string::npos) << e.what();
  }
}

// Fuzz-style, over the small fixture images: every truncation and every byte flipped (two
// masks) yields a FormatError or a consistent image, never a crash or another exception.
TEST(ImageHostile, EveryTruncationAndFlippedByteIsAFormatErrorOrAnImage) {
  for (const std::string name : {"rgb.jpg", "cmyk.jpg", "subsampled_420.jpg", "p.png", "one_bit.png", "l.png"}) {
    const auto path = testing::artifacts_dir() / "images" / name;
    VEIL_REQUIRE_FILE(path);
    const Bytes original = read_file_bytes(path);
    std::size_t decoded = 0;
    const auto attempt = [&](std::span<const std::uint8_t> bytes, const std::string& label) {
      Image out;
      try {
        decode_image(bytes, label, out);
        ++decoded;
        EXPECT_GT(out.width, 0) << label;
        EXPECT_EQ(out.rgb.size(), std::size_t(out.width) * std::size_t(out.height) * 3) << label;
      } catch (const FormatError&) {
      }
    };
    for (std::size_t size = 0; size < original.size(); ++size)
      attempt(std::span(original.data(), size), name + " cut at " + std::to_string(size));
    for (std::size_t i = 0; i < original.size(); ++i) {
      for (const std::uint8_t mask : {0x01, 0xFF}) {
        Bytes bytes = original;
        bytes[i] ^= mask;
        attempt(bytes, name + " byte " + std::to_string(i) + " ^ " + std::to_string(mask));
      }
    }
    // JPEG flips in entropy-coded data often still decode; PNG's chunk CRCs refuse nearly all.
    if (name.ends_with(".jpg")) {
      EXPECT_GT(decoded, 0u) << name;
    }
  }
}

}  // namespace
}  // namespace veil::io
