#include <fstream>
#include <iterator>

#include "veil/common/error.hpp"
#include "veil/io/image.hpp"

namespace veil::io {

void decode_image(std::span<const std::uint8_t> bytes, const std::string& name, Image& out) {
  static constexpr std::uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) return decode_jpeg(bytes, name, out);
  if (bytes.size() >= 8 && std::equal(std::begin(kPng), std::end(kPng), bytes.begin()))
    return decode_png(bytes, name, out);
  throw FormatError(name + ": not a JPEG or PNG file (" + std::to_string(bytes.size()) +
                    " bytes, unrecognized leading bytes)");
}

std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path.string());
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError("read error on " + path.string());
  return bytes;
}

Image make_image_from_file(const std::filesystem::path& path) {
  Image image;
  decode_image(read_file_bytes(path), path.string(), image);
  return image;
}

}  // namespace veil::io
