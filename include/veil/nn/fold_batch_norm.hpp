#pragma once
// Graph pass: Conv2d followed by BatchNorm2d (inference statistics) becomes one Conv2d
// with a bias, w' = w * gamma / sqrt(var + eps), b' = (b - mean) * gamma / sqrt(var + eps) + beta.
#include "veil/nn/graph.hpp"

namespace veil::nn {

/// Folds every BatchNorm2d whose input is a Conv2d read by nothing else; other
/// BatchNorm2d nodes stay. Values are renumbered; shapes are re-inferred.
void fold_batch_norm_inplace(Graph& graph);

}  // namespace veil::nn
