#pragma once
// torchvision's ResNet-18 as a veil graph, with the seed's AvgPool2d(7, 1, 0) in place of
// AdaptiveAvgPool2d: conv1 7x7/2 pad 3, bn1, relu, maxpool 3/2/1, layer1..layer4 of two
// BasicBlocks each (downsample = conv1x1/2 + BN where the stride or width changes),
// avgpool, flatten, fc 512 -> 1000. Input is one [3, S, S] image, S = 224 by default; a
// smaller S (a multiple of 16) gives the same network on a centre crop, its AvgPool kernel
// ceil(S/32) covering the whole last feature map (7 for 224, 1 for 16 and 32), for FHE runs
// that must be short.
#include <map>

#include "veil/common/tensor.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {

/// Every tensor a torchvision ResNet-18 state_dict holds, with its shape, except the
/// optional "*.num_batches_tracked" scalars (absent from pre-2018 checkpoints).
std::map<std::string, Shape> resnet18_state_dict_shapes();

/// Builds the graph (BatchNorm unfolded, shapes inferred) from a checkpoint's tensors.
/// Throws InvalidArgument naming the key when a tensor is missing, has the wrong shape
/// (found and expected shapes in the message) or is not part of ResNet-18, and when
/// input_size is not a positive multiple of 16.
Graph make_resnet18(const StateDict& state_dict, std::int64_t input_size = 224);

}  // namespace veil::nn
