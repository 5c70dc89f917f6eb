// Each fast (channel-major, BLAS) kernel against its naive reference kernel on seeded
// random tensors. Tolerance 1e-5 relative: both are fp32 with different summation orders.
#include <gtest/gtest.h>

#include "nn/fixtures.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/fast_kernels.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {
namespace {

using testing::random_tensor;
using testing::relative_error;

constexpr double kTolerance = 1e-5;

Tensor to_cn(const Tensor& x, ThreadPool& pool) {
  Tensor y;
  swap_leading_axes(x, y, pool);
  return y;
}

void expect_close(const Tensor& fast_cn, const Tensor& reference, ThreadPool& pool) {
  const Tensor fast = to_cn(fast_cn, pool);
  ASSERT_EQ(to_string(fast.shape), to_string(reference.shape));
  EXPECT_LE(relative_error(fast.data.data(), reference.data.data(), fast.data.size()), kTolerance);
}

struct ConvCase {
  std::int64_t n, c, h, w, o, k, stride, padding;
  bool bias, relu;
};

class FastConv2dTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(FastConv2dTest, MatchesReference) {
  const ConvCase p = GetParam();
  std::mt19937 rng(1234);
  ThreadPool pool(3);  // three tasks per conv: column ranges start and end mid-row
  const Tensor x = random_tensor({p.n, p.c, p.h, p.w}, rng);
  const Tensor weight = random_tensor({p.o, p.c, p.k, p.k}, rng);
  const Tensor bias = random_tensor({p.o}, rng);
  const Conv2dAttrs attrs{p.stride, p.padding};
  Tensor expected, relu_expected;
  reference_conv2d(x, weight, p.bias ? &bias : nullptr, attrs, expected);
  if (p.relu) {
    reference_relu(expected, relu_expected);
    expected = relu_expected;
  }
  const Tensor x_cn = to_cn(x, pool);
  std::vector<float> scratch(fast_conv2d_scratch_size(x_cn.shape, weight.shape, attrs, pool.size()));
  Tensor y;
  fast_conv2d(x_cn, weight, p.bias ? &bias : nullptr, attrs, p.relu, y, scratch, pool);
  SCOPED_TRACE("n=" + std::to_string(p.n) + " c=" + std::to_string(p.c) + " h=" + std::to_string(p.h) +
               " w=" + std::to_string(p.w) + " o=" + std::to_string(p.o) + " k=" + std::to_string(p.k) +
               " stride=" + std::to_string(p.stride) + " padding=" + std::to_string(p.padding));
  expect_close(y, expected, pool);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FastConv2dTest,
                         ::testing::Values(ConvCase{2, 3, 23, 19, 8, 7, 2, 3, true, true},   // ResNet stem, odd sizes
                                           ConvCase{3, 5, 9, 9, 6, 3, 1, 1, false, false},   // 3x3 same, no bias
                                           ConvCase{2, 4, 10, 7, 5, 3, 2, 1, true, true},    // 3x3 stride 2
                                           ConvCase{2, 6, 8, 8, 4, 1, 2, 0, true, false},    // downsample 1x1 stride 2
                                           ConvCase{2, 6, 5, 4, 3, 1, 1, 0, true, true},     // direct 1x1 path
                                           ConvCase{1, 2, 1, 1, 3, 3, 2, 1, true, false},    // window mostly padding
                                           ConvCase{2, 3, 11, 12, 4, 5, 3, 2, false, true},  // stride 3 pad 2
                                           ConvCase{5, 64, 56, 56, 8, 3, 1, 1, true,
                                                    true}));  // batch split into im2col chunks

TEST(FastConv2d, RejectsMismatchedWeight) {
  ThreadPool pool(1);
  Tensor x({3, 1, 5, 5}), weight({2, 4, 3, 3}), y;
  std::vector<float> scratch;
  EXPECT_THROW(fast_conv2d(x, weight, nullptr, {1, 1}, false, y, scratch, pool), InvalidArgument);
}

TEST(FastConv2d, RejectsShortScratch) {
  ThreadPool pool(1);
  Tensor x({3, 1, 5, 5}), weight({2, 3, 3, 3}), y;
  std::vector<float> scratch(3);  // needs 27 * 25 floats
  EXPECT_THROW(fast_conv2d(x, weight, nullptr, {1, 1}, false, y, scratch, pool), InvalidArgument);
}

TEST(FastPool2d, MaxPoolMatchesReference) {
  std::mt19937 rng(7);
  ThreadPool pool(2);
  for (const Pool2dAttrs a : {Pool2dAttrs{3, 2, 1}, Pool2dAttrs{2, 2, 0}, Pool2dAttrs{3, 1, 1}}) {
    const Tensor x = random_tensor({3, 4, 13, 10}, rng);
    Tensor expected, y;
    reference_max_pool2d(x, a, expected);
    fast_max_pool2d(to_cn(x, pool), a, y, pool);
    expect_close(y, expected, pool);
  }
}

TEST(FastPool2d, AvgPoolMatchesReference) {
  std::mt19937 rng(8);
  ThreadPool pool(2);
  for (const Pool2dAttrs a : {Pool2dAttrs{7, 1, 0}, Pool2dAttrs{3, 2, 1}}) {
    const Tensor x = random_tensor({3, 4, 9, 7}, rng);
    Tensor expected, y;
    reference_avg_pool2d(x, a, expected);
    fast_avg_pool2d(to_cn(x, pool), a, y, pool);
    expect_close(y, expected, pool);
  }
}

TEST(FastPool2d, RejectsKernelLargerThanPaddedInput) {
  ThreadPool pool(1);
  Tensor x({1, 1, 3, 3}), y;
  EXPECT_THROW(fast_avg_pool2d(x, {7, 1, 0}, y, pool), InvalidArgument);
}

TEST(FastElementwise, AddReluAndBatchNormMatchReference) {
  std::mt19937 rng(9);
  ThreadPool pool(2);
  const Tensor a = random_tensor({3, 5, 6, 7}, rng), b = random_tensor({3, 5, 6, 7}, rng);
  Tensor sum, expected, y;
  reference_add(a, b, sum);
  fast_add(to_cn(a, pool), to_cn(b, pool), false, y, pool);
  expect_close(y, sum, pool);
  reference_relu(sum, expected);
  fast_add(to_cn(a, pool), to_cn(b, pool), true, y, pool);
  expect_close(y, expected, pool);
  fast_relu(to_cn(sum, pool), y, pool);
  expect_close(y, expected, pool);

  const Tensor gamma = random_tensor({5}, rng), beta = random_tensor({5}, rng), mean = random_tensor({5}, rng);
  const Tensor var = random_tensor({5}, rng, 0.5f, 2.0f);
  reference_batch_norm2d(a, gamma, beta, mean, var, 1e-5f, expected);
  fast_batch_norm2d(to_cn(a, pool), gamma, beta, mean, var, 1e-5f, y, pool);
  expect_close(y, expected, pool);
}

TEST(FastElementwise, AddRejectsShapeMismatch) {
  ThreadPool pool(1);
  Tensor a({2, 3}), b({3, 2}), y;
  EXPECT_THROW(fast_add(a, b, false, y, pool), InvalidArgument);
}

TEST(FastFlattenLinear, MatchReference) {
  std::mt19937 rng(10);
  ThreadPool pool(2);
  const Tensor x = random_tensor({4, 6, 2, 3}, rng);  // H*W > 1 checks the (c, h, w) feature order
  const Tensor weight = random_tensor({10, 36}, rng), bias = random_tensor({10}, rng);
  Tensor flat, expected, flat_fast, y;
  reference_flatten(x, flat);
  reference_linear(flat, weight, bias, expected);
  fast_flatten(to_cn(x, pool), flat_fast, pool);
  expect_close(flat_fast, flat, pool);
  fast_linear(flat_fast, weight, bias, y, pool);
  expect_close(y, expected, pool);
}

}  // namespace
}  // namespace veil::nn
