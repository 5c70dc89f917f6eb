// JPEG decoding with libjpeg-turbo, set up as PIL's decoder is (islow IDCT and fancy
// upsampling are libjpeg's defaults, which PIL keeps), so pixels match PIL exactly.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <jerror.h>

#include "veil/common/error.hpp"
#include "veil/io/image.hpp"

namespace veil::io {
namespace {

// libjpeg's own allocations are capped too: a progressive image keeps all its DCT coefficients
// (2 bytes per sample), at most 4 full-resolution components for CMYK, so 8 bytes per pixel.
constexpr long kMaxDecoderMemory = static_cast<long>(8 * kMaxImagePixels);

struct ErrorManager {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX] = {};
  bool corrupt_data = false;  // a warning that means pixels were invented (truncation, bad Huffman code)
};

void on_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  const int code = cinfo->err->msg_code;
  // Extraneous bytes before a marker are harmless (many ImageNet files have them);
  // the others mean the decoder filled missing data with gray, as PIL refuses to.
  if ((code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC) &&
      !err->corrupt_data) {
    err->corrupt_data = true;
    (*cinfo->err->format_message)(cinfo, err->message);
  }
}

// PIL treats JPEG CMYK as inverted (Adobe's convention) and converts to RGB without
// undercolour removal: channel = (255 - k) - round((c * (255 - k)) / 255).
void cmyk_to_rgb_like_pil(const std::uint8_t* cmyk, std::size_t pixels, std::uint8_t* rgb) {
  for (std::size_t i = 0; i < pixels; ++i) {
    const int k = 255 - cmyk[4 * i + 3];
    const int nk = 255 - k;
    for (int c = 0; c < 3; ++c) {
      const int value = 255 - cmyk[4 * i + c];
      const int t = value * nk + 128;
      const int v = nk - (((t >> 8) + t) >> 8);
      rgb[3 * i + c] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
}

// Kept free of C++ objects with destructors between setjmp and the libjpeg calls.
bool run_decoder(jpeg_decompress_struct& cinfo, ErrorManager& err, std::span<const std::uint8_t> bytes,
                 std::vector<std::uint8_t>& pixels, std::vector<std::uint8_t>& row, int& width, int& height,
                 bool& cmyk) {
  if (setjmp(err.jump)) return false;
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = kMaxDecoderMemory;
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  // Checked from the header: jpeg_start_decompress already allocates for the claimed size.
  if (std::uint64_t{cinfo.image_width} * cinfo.image_height > kMaxImagePixels) {
    std::snprintf(err.message, sizeof err.message, "%ux%u pixels exceeds the limit of %llu", cinfo.image_width,
                  cinfo.image_height, static_cast<unsigned long long>(kMaxImagePixels));
    return false;
  }
  cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
  jpeg_start_decompress(&cinfo);
  width = static_cast<int>(cinfo.output_width);
  height = static_cast<int>(cinfo.output_height);
  const std::uint64_t count = std::uint64_t{cinfo.output_width} * cinfo.output_height;
  const std::size_t channels = static_cast<std::size_t>(cinfo.output_components);
  pixels.resize(count * 3);
  row.resize(std::size_t{cinfo.output_width} * channels);
  while (cinfo.output_scanline < cinfo.output_height) {
    const std::size_t y = cinfo.output_scanline;
    JSAMPROW row_ptr = row.data();
    jpeg_read_scanlines(&cinfo, &row_ptr, 1);
    std::uint8_t* dst = pixels.data() + y * std::size_t{cinfo.output_width} * 3;
    if (cmyk)
      cmyk_to_rgb_like_pil(row.data(), cinfo.output_width, dst);
    else
      std::copy(row.begin(), row.end(), dst);
  }
  jpeg_finish_decompress(&cinfo);
  return true;
}

}  // namespace

void decode_jpeg(std::span<const std::uint8_t> bytes, const std::string& name, Image& out) {
  jpeg_decompress_struct cinfo{};
  ErrorManager err{};
  cinfo.err = jpeg_std_error(&err.pub);
  err.pub.error_exit = on_error_exit;
  err.pub.emit_message = on_message;
  std::vector<std::uint8_t> pixels, row;
  int width = 0, height = 0;
  bool cmyk = false;
  const bool ok = run_decoder(cinfo, err, bytes, pixels, row, width, height, cmyk);
  jpeg_destroy_decompress(&cinfo);
  if (!ok) throw FormatError(name + ": JPEG decoding failed: " + err.message);
  if (err.corrupt_data) throw FormatError(name + ": corrupt or truncated JPEG: " + err.message);
  out.width = width;
  out.height = height;
  out.rgb = std::move(pixels);
}

}  // namespace veil::io
