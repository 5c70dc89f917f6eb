// PIL's Image.resize(BILINEAR) for 8-bit images: a separable triangle filter whose
// support widens by the downscale factor (antialiasing), horizontal pass first, with
// coefficients in 22-bit fixed point and rounding/clamping to uint8 after each pass.
#include <cmath>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/io/preprocess.hpp"

namespace veil::io {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Coefficients {
  int taps = 0;                      // coefficients per output sample
  std::vector<int> first;            // first input index per output sample
  std::vector<int> count;            // inputs used per output sample
  std::vector<std::int32_t> weight;  // out_size * taps fixed-point weights
};

double triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

Coefficients make_coefficients(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filter_scale;
  Coefficients c;
  c.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  c.first.resize(out_size);
  c.count.resize(out_size);
  c.weight.assign(static_cast<std::size_t>(out_size) * c.taps, 0);
  std::vector<double> w(c.taps);
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    // PIL truncates here (toward zero, then clamps); the same integer is what matches it.
    int lo = static_cast<int>(center - support + 0.5);  // NOLINT(bugprone-incorrect-roundings)
    if (lo < 0) lo = 0;
    int hi = static_cast<int>(center + support + 0.5);  // NOLINT(bugprone-incorrect-roundings)
    if (hi > in_size) hi = in_size;
    const int n = hi - lo;
    double sum = 0.0;
    for (int k = 0; k < n; ++k) {
      w[k] = triangle((k + lo - center + 0.5) / filter_scale);
      sum += w[k];
    }
    for (int k = 0; k < n; ++k) {
      const double normalized = sum != 0.0 ? w[k] / sum : w[k];
      const double fixed = normalized * (1 << kPrecisionBits);
      c.weight[static_cast<std::size_t>(i) * c.taps + k] =
          static_cast<std::int32_t>(normalized < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    c.first[i] = lo;
    c.count[i] = n;
  }
  return c;
}

std::uint8_t clamp_to_byte(std::int32_t accumulator) {
  const std::int32_t v = accumulator >> kPrecisionBits;
  return static_cast<std::uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

void resize_horizontal(const Image& in, int width, Image& out) {
  const Coefficients c = make_coefficients(in.width, width);
  out.width = width;
  out.height = in.height;
  out.rgb.resize(static_cast<std::size_t>(width) * in.height * 3);
  for (int y = 0; y < in.height; ++y) {
    const std::uint8_t* src = in.rgb.data() + static_cast<std::size_t>(y) * in.width * 3;
    std::uint8_t* dst = out.rgb.data() + static_cast<std::size_t>(y) * width * 3;
    for (int x = 0; x < width; ++x) {
      const std::int32_t* k = c.weight.data() + static_cast<std::size_t>(x) * c.taps;
      std::int32_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
      for (int t = 0; t < c.count[x]; ++t) {
        const std::uint8_t* p = src + static_cast<std::size_t>(c.first[x] + t) * 3;
        for (int ch = 0; ch < 3; ++ch) acc[ch] += p[ch] * k[t];
      }
      for (int ch = 0; ch < 3; ++ch) dst[x * 3 + ch] = clamp_to_byte(acc[ch]);
    }
  }
}

void resize_vertical(const Image& in, int height, Image& out) {
  const Coefficients c = make_coefficients(in.height, height);
  const std::size_t row = static_cast<std::size_t>(in.width) * 3;
  out.width = in.width;
  out.height = height;
  out.rgb.resize(row * height);
  for (int y = 0; y < height; ++y) {
    const std::int32_t* k = c.weight.data() + static_cast<std::size_t>(y) * c.taps;
    std::uint8_t* dst = out.rgb.data() + y * row;
    for (std::size_t i = 0; i < row; ++i) {
      std::int32_t acc = 1 << (kPrecisionBits - 1);
      for (int t = 0; t < c.count[y]; ++t) acc += in.rgb[(c.first[y] + t) * row + i] * k[t];
      dst[i] = clamp_to_byte(acc);
    }
  }
}

}  // namespace

void resize_bilinear(const Image& in, int width, int height, Image& out) {
  if (in.width <= 0 || in.height <= 0 || width <= 0 || height <= 0)
    throw InvalidArgument("resize of a " + std::to_string(in.width) + "x" + std::to_string(in.height) + " image to " +
                          std::to_string(width) + "x" + std::to_string(height) + ": sizes must be positive");
  if (in.rgb.size() != static_cast<std::size_t>(in.width) * in.height * 3)
    throw InvalidArgument("image of " + std::to_string(in.width) + "x" + std::to_string(in.height) + " holds " +
                          std::to_string(in.rgb.size()) + " bytes, expected width*height*3");
  // PIL skips a pass whose size does not change; it would be the identity anyway.
  if (width == in.width && height == in.height) {
    out = in;
  } else if (height == in.height) {
    resize_horizontal(in, width, out);
  } else if (width == in.width) {
    resize_vertical(in, height, out);
  } else {
    Image temp;
    resize_horizontal(in, width, temp);
    resize_vertical(temp, height, out);
  }
}

}  // namespace veil::io
