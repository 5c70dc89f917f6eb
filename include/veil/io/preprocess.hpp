#pragma once
// torchvision's ImageNet evaluation transform on PIL images, reproduced exactly:
// Resize(256) (PIL bilinear with antialias, fixed point), CenterCrop(224), ToTensor,
// Normalize(mean, std).
#include <array>

#include "veil/common/tensor.hpp"
#include "veil/io/image.hpp"

namespace veil::io {

struct PreprocessConfig {
  int resize_shorter = 256;
  int crop = 224;
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

struct Size2 {
  int width = 0;
  int height = 0;
};

/// torchvision Resize(int): shorter side -> `shorter`, longer int(shorter * long / short).
Size2 resized_shorter_side(int width, int height, int shorter);

/// PIL Image.resize(size, BILINEAR) on an RGB uint8 image. Throws InvalidArgument on
/// empty sizes.
void resize_bilinear(const Image& in, int width, int height, Image& out);

/// torchvision CenterCrop (offsets round half to even, as Python's round). Throws
/// InvalidArgument when the crop is larger than the image.
void center_crop(const Image& in, int width, int height, Image& out);

/// ToTensor + Normalize: out = (rgb / 255 - mean) / std as float32, shape [3, H, W].
void to_normalized_tensor(const Image& in, const std::array<float, 3>& mean, const std::array<float, 3>& std,
                          Tensor& out);

/// The whole transform into out (shape [3, crop, crop]).
void preprocess_imagenet(const Image& in, const PreprocessConfig& config, Tensor& out);

}  // namespace veil::io
