// PNG. libpng checks every chunk's CRC-32 first, so mutated bytes would almost never reach the
// image: each input is decoded as it is, and again with every chunk's CRC made right.
#include <zlib.h>

#include "fuzz_loader.hpp"
#include "veil/io/image.hpp"

namespace {

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[at + i]);
  return value;
}

// The 8-byte signature, then chunks: u32 length, 4-byte type, data, u32 CRC of type and data.
std::string with_chunk_crcs_fixed(std::string png) {
  for (std::size_t at = 8; at + 12 <= png.size();) {
    const std::uint64_t length = big_endian(png, at);
    if (length > png.size() - at - 12) break;
    const auto* typed = reinterpret_cast<const Bytef*>(png.data() + at + 4);
    const auto crc = static_cast<std::uint32_t>(crc32(0, typed, static_cast<uInt>(length + 4)));
    for (std::size_t i = 0; i < 4; ++i) png[at + 8 + length + i] = static_cast<char>(crc >> (24 - 8 * i));
    at += 12 + length;
  }
  return png;
}

int decode(const std::string& png) {
  veil::io::Image image;
  return veil::fuzz::load_or_refuse([&] {
    veil::io::decode_png({reinterpret_cast<const std::uint8_t*>(png.data()), png.size()}, "fuzz.png", image);
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = veil::fuzz::text_of(data, size);
  decode(input);
  return decode(with_chunk_crcs_fixed(input));
}
