#pragma once
// Naive reference kernels, one per op, on batched row-major tensors: feature maps are
// [N, C, H, W], vectors [N, F]. Written for obvious correctness (double accumulators),
// not speed: the fast kernels and later integer/FHE kernels are tested against them.
// Each resizes its output `y`; inputs must have consistent shapes (InvalidArgument otherwise).
#include "veil/common/tensor.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {

/// bias may be null (no bias).
void reference_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dAttrs& attrs, Tensor& y);
void reference_batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                            const Tensor& var, float eps, Tensor& y);
void reference_relu(const Tensor& x, Tensor& y);
void reference_max_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y);
void reference_avg_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y);
void reference_add(const Tensor& a, const Tensor& b, Tensor& y);
void reference_flatten(const Tensor& x, Tensor& y);
/// y[n, o] = sum_f weight[o, f] * x[n, f] + bias[o]
void reference_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y);

/// Runs a shape-inferred graph on a batch [N, input shape...] with the reference kernels;
/// `output` becomes [N, output shape...].
void run_reference(const Graph& graph, const Tensor& batch, Tensor& output);

}  // namespace veil::nn
