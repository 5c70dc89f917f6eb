#pragma once
// The centre S x S crop of preprocessed images, for running ResNet-18 built for S x S inputs
// (nn::make_resnet18's input_size) on the same images: FHE runs short enough for a demo.
#include <cstdint>

#include "veil/common/tensor.hpp"

namespace veil::io {

/// images: [..., H, W] (one [C, H, W] image or a batch [N, C, H, W]); returns [..., S, S] taken
/// at rows and columns [(H - S) / 2, (H - S) / 2 + S). InvalidArgument when S < 1, S > H or S > W.
Tensor center_crop_tensor(const Tensor& images, std::int64_t size);

}  // namespace veil::io
