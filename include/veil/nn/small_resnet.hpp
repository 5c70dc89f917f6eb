#pragma once
// A small seeded network with every op ResNet-18 uses (conv + BN, ReLU, max-pool 3/2/1, a
// residual block with an identity and one with a downsample conv, avg-pool, flatten, fc),
// BN folded, and seeded images: the circuit of the quantizer's, the FHE runtime's and the
// CLI's small-model tests and demos (`--model small`).
#include <cstdint>

#include "veil/common/tensor.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {

/// input [3, S, S] -> conv 3x3 (8) -> ReLU -> max-pool 3/2/1 -> block 8 -> block 12 (stride 2,
/// downsample) -> avg-pool (S/4) -> fc -> logits [10]. S = input_size, a multiple of 4, >= 4.
Graph make_small_resnet(std::uint32_t seed, std::int64_t input_size = 20);

/// [n, 3, S, S] values uniform in [-2, 2), seeded.
Tensor make_small_images(std::int64_t n, std::uint32_t seed, std::int64_t input_size = 20);

}  // namespace veil::nn
