#pragma once
// A small seeded network with every op ResNet-18 uses (conv+BN, ReLU, max-pool 3/2/1, a
// residual block with a downsample conv and one with an identity, avg-pool, flatten, fc),
// BN folded, and seeded images, for the quantized-circuit tests.
#include <random>

#include "veil/common/tensor.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn::quant::testing {

/// input [3, 20, 20] -> ... -> logits [10].
Graph make_small_resnet(std::uint32_t seed);

/// [n, 3, 20, 20] values in [-2, 2).
Tensor make_small_images(std::int64_t n, std::uint32_t seed);

}  // namespace veil::nn::quant::testing
