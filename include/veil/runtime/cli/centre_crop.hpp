#pragma once
// The centre S x S crop of preprocessed images, for running ResNet-18 built for S x S inputs
// (nn::make_resnet18's input_size) on the same images: FHE runs short enough for a demo.
#include <cstdint>

#include "veil/common/tensor.hpp"

namespace veil::runtime::cli {

/// images: [..., H, W] (one [C, H, W] image or a batch [N, C, H, W]); returns [..., S, S] taken
/// at rows and columns [(H - S) / 2, (H - S) / 2 + S). InvalidArgument when S < 1, S > H or S > W.
Tensor centre_crop(const Tensor& images, std::int64_t size);

}  // namespace veil::runtime::cli
