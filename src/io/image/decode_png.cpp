// PNG decoding with libpng, converted to 8-bit RGB as PIL's convert("RGB") does:
// palettes expanded, gray replicated, alpha dropped, 16-bit samples keep the high byte.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "veil/common/error.hpp"
#include "veil/io/image.hpp"

namespace veil::io {
namespace {

struct Source {
  std::span<const std::uint8_t> bytes;
  std::size_t position = 0;
  char message[256] = {};
};

void read_from_memory(png_structp png, png_bytep dst, png_size_t size) {
  auto* source = static_cast<Source*>(png_get_io_ptr(png));
  if (size > source->bytes.size() - source->position) png_error(png, "file is truncated");
  std::memcpy(dst, source->bytes.data() + source->position, size);
  source->position += size;
}

void on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<Source*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof source->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

bool run_decoder(png_structp png, png_infop info, std::vector<std::uint8_t>& pixels, std::vector<png_bytep>& rows,
                 int& width, int& height, Source& source) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_read_fn(png, &source, read_from_memory);
  png_read_info(png, info);
  const auto w = png_get_image_width(png, info);
  const auto h = png_get_image_height(png, info);
  if (std::uint64_t{w} * h > kMaxImagePixels) {
    std::snprintf(source.message, sizeof source.message, "%ux%u pixels exceeds the limit of %llu", w, h,
                  static_cast<unsigned long long>(kMaxImagePixels));
    return false;
  }
  const int color = png_get_color_type(png, info);
  if (png_get_bit_depth(png, info) == 16) png_set_strip_16(png);
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
  // Expanding a palette with tRNS adds an alpha channel too; PIL drops it as well.
  if ((color & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS)) png_set_strip_alpha(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != std::size_t{w} * 3) {
    std::snprintf(source.message, sizeof source.message, "unexpected row layout after conversion to RGB");
    return false;
  }
  width = static_cast<int>(w);
  height = static_cast<int>(h);
  pixels.resize(std::size_t{w} * h * 3);
  rows.resize(h);
  for (std::size_t y = 0; y < h; ++y) rows[y] = pixels.data() + y * std::size_t{w} * 3;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  return true;
}

}  // namespace

void decode_png(std::span<const std::uint8_t> bytes, const std::string& name, Image& out) {
  Source source{bytes};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, on_error, on_warning);
  if (!png) throw FormatError(name + ": cannot create a PNG decoder");
  png_infop info = png_create_info_struct(png);
  std::vector<std::uint8_t> pixels;
  std::vector<png_bytep> rows;
  int width = 0, height = 0;
  const bool ok = info && run_decoder(png, info, pixels, rows, width, height, source);
  png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  if (!ok) throw FormatError(name + ": PNG decoding failed: " + source.message);
  out.width = width;
  out.height = height;
  out.rgb = std::move(pixels);
}

}  // namespace veil::io
