#pragma once
// 8-bit RGB images decoded from JPEG (libjpeg-turbo, PIL's settings) and PNG (libpng),
// converted to RGB the way PIL's Image.convert("RGB") does.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace veil::io {

/// Images with more pixels are refused from their header, before anything is allocated:
/// 2^26 (e.g. 8192 x 8192) is 12 times ImageNet validation's largest (~5.5M pixels), and
/// holds 192 MiB as RGB.
constexpr std::uint64_t kMaxImagePixels = std::uint64_t{1} << 26;

/// Image files larger than this are refused unread: the raw RGB size of the largest image
/// accepted (a JPEG or PNG holding more bytes than its raw pixels is not one veil decodes).
constexpr std::uint64_t kMaxImageFileBytes = 3 * kMaxImagePixels;

struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;  // height * width * 3, row-major, interleaved RGB
};

/// Decodes a JPEG (grayscale, YCbCr, CMYK/YCCK; islow DCT, fancy upsampling as PIL)
/// into `out`. Throws FormatError naming `name` when the data is corrupt or truncated.
void decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name, Image& out);

/// Decodes a PNG (palette, gray, 16-bit keeps the high byte, alpha dropped) into `out`.
/// Throws FormatError naming `name`.
void decode_png(std::span<const std::uint8_t> bytes, const std::string& name, Image& out);

/// Chooses the decoder from the magic bytes. Throws FormatError for other formats.
void decode_image(std::span<const std::uint8_t> bytes, const std::string& name, Image& out);

/// Reads a whole file of at most `max_bytes`. Throws IoError, or FormatError when it is larger.
std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path,
                                          std::uint64_t max_bytes = kMaxImageFileBytes);

/// Reads and decodes an image file. Throws IoError or FormatError.
Image make_image_from_file(const std::filesystem::path& path);

}  // namespace veil::io
