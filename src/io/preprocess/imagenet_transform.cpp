#include "veil/common/error.hpp"
#include "veil/io/preprocess.hpp"

namespace veil::io {
namespace {

// Python's round((size - crop) / 2): halves go to the even neighbour.
int centered_offset(int size, int crop) {
  const int twice = size - crop;
  const int half = twice / 2;
  return (twice % 2 == 0 || half % 2 == 0) ? half : half + 1;
}

}  // namespace

Size2 resized_shorter_side(int width, int height, int shorter) {
  if (width <= 0 || height <= 0 || shorter <= 0)
    throw InvalidArgument("resize of a " + std::to_string(width) + "x" + std::to_string(height) + " image to " +
                          std::to_string(shorter) + ": sizes must be positive");
  const int short_side = width <= height ? width : height;
  const int long_side = width <= height ? height : width;
  // torchvision: int(size * long / short), a float division truncated.
  const int new_long = static_cast<int>(static_cast<double>(shorter) * long_side / short_side);
  return width <= height ? Size2{shorter, new_long} : Size2{new_long, shorter};
}

void center_crop(const Image& in, int width, int height, Image& out) {
  if (width <= 0 || height <= 0 || width > in.width || height > in.height)
    throw InvalidArgument("center crop " + std::to_string(width) + "x" + std::to_string(height) + " of a " +
                          std::to_string(in.width) + "x" + std::to_string(in.height) +
                          " image: crop must be positive and fit inside the image");
  const int left = centered_offset(in.width, width);
  const int top = centered_offset(in.height, height);
  out.width = width;
  out.height = height;
  out.rgb.resize(static_cast<std::size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    const auto* src = in.rgb.data() + (static_cast<std::size_t>(top + y) * in.width + left) * 3;
    std::copy(src, src + static_cast<std::size_t>(width) * 3, out.rgb.data() + static_cast<std::size_t>(y) * width * 3);
  }
}

void to_normalized_tensor(const Image& in, const std::array<float, 3>& mean, const std::array<float, 3>& std,
                          Tensor& out) {
  for (float s : std)
    if (!(s > 0.0f)) throw InvalidArgument("normalization std " + std::to_string(s) + ", expected > 0");
  const std::size_t plane = static_cast<std::size_t>(in.width) * in.height;
  out.shape = {3, in.height, in.width};
  out.data.resize(3 * plane);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < plane; ++i)  // float32 steps in torchvision's order: /255, -mean, /std
      out.data[c * plane + i] = (static_cast<float>(in.rgb[i * 3 + c]) / 255.0f - mean[c]) / std[c];
}

void preprocess_imagenet(const Image& in, const PreprocessConfig& config, Tensor& out) {
  const Size2 size = resized_shorter_side(in.width, in.height, config.resize_shorter);
  Image resized, cropped;
  resize_bilinear(in, size.width, size.height, resized);
  center_crop(resized, config.crop, config.crop, cropped);
  to_normalized_tensor(cropped, config.mean, config.std, out);
}

}  // namespace veil::io
