#pragma once
// Fast fp32 kernels used by the executor. They work on channel-major batches so that a
// convolution over the whole batch is one GEMM: feature maps are [C, N, H, W], vectors
// [F, N] (feature-major). swap_leading_axes converts from/to the usual [N, C, H, W] / [N, F].
// Each resizes its output `y` (no reallocation when its capacity suffices). Parallel work
// runs on `pool` only: GEMMs are split into per-thread calls, so OpenBLAS should run
// single-threaded (openblas_set_num_threads(1), as Fp32Executor does).
#include <cstddef>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {

/// [A, B, rest...] -> [B, A, rest...].
void swap_leading_axes(const Tensor& x, Tensor& y, ThreadPool& pool);

/// Floats of im2col scratch that fast_conv2d needs for input [C, N, H, W] on a pool of
/// `threads` threads (0 for a 1x1, stride-1, unpadded convolution, which multiplies the
/// input directly).
std::size_t fast_conv2d_scratch_size(const Shape& x, const Shape& weight, const Conv2dAttrs& attrs,
                                     std::size_t threads);

/// Convolution (im2col + sgemm) with bias (may be null) and optionally a fused ReLU.
/// `scratch` must hold fast_conv2d_scratch_size(..., pool.size()) floats.
void fast_conv2d(const Tensor& x, const Tensor& weight, const Tensor* bias, const Conv2dAttrs& attrs, bool relu,
                 Tensor& y, std::vector<float>& scratch, ThreadPool& pool);

/// Inference BatchNorm per channel of [C, N, H, W].
void fast_batch_norm2d(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean, const Tensor& var,
                       float eps, Tensor& y, ThreadPool& pool);

void fast_relu(const Tensor& x, Tensor& y, ThreadPool& pool);

/// a + b, optionally followed by ReLU (the residual join of a BasicBlock).
void fast_add(const Tensor& a, const Tensor& b, bool relu, Tensor& y, ThreadPool& pool);

void fast_max_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y, ThreadPool& pool);
void fast_avg_pool2d(const Tensor& x, const Pool2dAttrs& attrs, Tensor& y, ThreadPool& pool);

/// [C, N, H, W] -> [C*H*W, N], features in PyTorch's flatten order (c, h, w).
void fast_flatten(const Tensor& x, Tensor& y, ThreadPool& pool);

/// [F, N] -> [O, N]: y = weight[O, F] * x + bias.
void fast_linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y, ThreadPool& pool);

}  // namespace veil::nn
