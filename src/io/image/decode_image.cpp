#include <algorithm>

#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/io/image.hpp"

namespace veil::io {

void decode_image(std::span<const std::uint8_t> bytes, const std::string& name, Image& out) {
  static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return decode_jpeg(bytes, name, out);
  if (bytes.size() >= 8 && std::equal(std::begin(kPng), std::end(kPng), bytes.begin()))
    return decode_png(bytes, name, out);
  throw FormatError(name + ": not a JPEG or PNG file (" + std::to_string(bytes.size()) +
                    " bytes, unrecognized leading bytes)");
}

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path, std::uint64_t max_bytes) {
  const std::string bytes = read_file_limited(path, "image", max_bytes);
  return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
}

Image make_image_from_file(const std::filesystem::path& path) {
  Image image;
  decode_image(read_file_bytes(path), path.string(), image);
  return image;
}

}  // namespace veil::io
