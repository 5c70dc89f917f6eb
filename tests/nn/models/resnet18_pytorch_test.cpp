// ResNet-18 on the synthetic checkpoint (make_nn_fixtures.py, seed 20240607) against
// PyTorch's fp32 logits for torchvision-preprocessed val100 images. Relative error is
// max|ours - torch| / max|torch| per image (testing::relative_error).
#include <gtest/gtest.h>

#include <cmath>

#include "nn/fixtures.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/reference_kernels.hpp"
#include "veil/nn/resnet18.hpp"

namespace veil::nn {
namespace {

constexpr std::int64_t kImages = 100;
constexpr std::int64_t kClasses = 1000;
constexpr std::int64_t kImageFloats = 3 * 224 * 224;
constexpr double kTolerance = 1e-3;  // the task's bound; fp32 reorderings give ~1e-6
// Logits closer than this (relative to max|logit|) are ties that fp32 summation order may
// swap: the synthetic model has near-ties (smallest top-6 gap ~5e-5 of max|logit|).
constexpr double kTieTolerance = 1e-5;

std::string path(const char* name) { return testing::artifacts_dir() + "/" + name; }

Graph synthetic_graph() { return make_resnet18(testing::read_raw_state_dict(path("resnet18_synthetic.tensors"))); }

Tensor slice(const Tensor& batch, std::int64_t first, std::int64_t count) {
  Shape shape = batch.shape;
  const std::int64_t per = batch.size() / shape[0];
  shape[0] = count;
  return Tensor(shape,
                std::vector<float>(batch.data.begin() + first * per, batch.data.begin() + (first + count) * per));
}

// Our top-5 must equal torch's, except that entries whose torch logits tie within
// kTieTolerance may swap places.
void expect_same_top5(std::span<const float> ours, std::span<const float> torch, std::int64_t image) {
  const auto a = make_top_k(ours, 5), b = make_top_k(torch, 5);
  float scale = 0.0f;
  for (float v : torch) scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < 5; ++k)
    EXPECT_LE(std::abs(torch[static_cast<std::size_t>(a[k])] - torch[static_cast<std::size_t>(b[k])]),
              kTieTolerance * scale)
        << "image " << image << " rank " << k << ": ours " << a[k] << ", torch " << b[k];
}

class Resnet18PyTorch : public ::testing::Test {
 protected:
  void SetUp() override {
    VEIL_REQUIRE_FILE(path("resnet18_synthetic.tensors"));
    VEIL_REQUIRE_FILE(path("val100_inputs.f32"));
    inputs_ = testing::read_f32(path("val100_inputs.f32"), {kImages, 3, 224, 224});
    logits_ = testing::read_f32(path("val100_logits.f32"), {kImages, kClasses});
  }
  std::span<const float> torch_logits(std::int64_t i) const {
    return {logits_.data.data() + i * kClasses, static_cast<std::size_t>(kClasses)};
  }
  Tensor inputs_, logits_;
};

TEST_F(Resnet18PyTorch, FoldedFastExecutorMatchesOnAllImages) {
  Graph graph = synthetic_graph();
  fold_batch_norm_inplace(graph);
  Fp32Executor executor(std::move(graph), 2);
  constexpr std::int64_t kBatch = 25;
  for (std::int64_t first = 0; first < kImages; first += kBatch) {
    Tensor out;
    executor.run(slice(inputs_, first, kBatch), out);
    ASSERT_EQ(to_string(out.shape), to_string(Shape{kBatch, kClasses}));
    for (std::int64_t i = 0; i < kBatch; ++i) {
      const std::span<const float> ours(out.data.data() + i * kClasses, static_cast<std::size_t>(kClasses));
      EXPECT_LE(testing::relative_error(ours.data(), torch_logits(first + i).data(), kClasses), kTolerance)
          << "image " << first + i;
      expect_same_top5(ours, torch_logits(first + i), first + i);
    }
  }
}

TEST_F(Resnet18PyTorch, UnfoldedFastExecutorMatches) {
  Fp32Executor executor(synthetic_graph(), 2);
  Tensor out;
  executor.run(slice(inputs_, 10, 4), out);
  for (std::int64_t i = 0; i < 4; ++i)
    EXPECT_LE(testing::relative_error(out.data.data() + i * kClasses, torch_logits(10 + i).data(), kClasses),
              kTolerance);
}

TEST_F(Resnet18PyTorch, ReferenceKernelsMatchOnOneImage) {
  Tensor out;
  run_reference(synthetic_graph(), slice(inputs_, 3, 1), out);
  EXPECT_LE(testing::relative_error(out.data.data(), torch_logits(3).data(), kClasses), kTolerance);
}

TEST_F(Resnet18PyTorch, BatchResultsDoNotDependOnBatchOrThreads) {
  Graph graph = synthetic_graph();
  fold_batch_norm_inplace(graph);
  Fp32Executor two(graph, 2), one(std::move(graph), 1);
  Tensor batched, alone;
  two.run(slice(inputs_, 0, 3), batched);
  one.run(slice(inputs_, 2, 1), alone);
  // Different GEMM blockings only reorder fp32 sums.
  EXPECT_LE(testing::relative_error(batched.data.data() + 2 * kClasses, alone.data.data(), kClasses), 1e-5);
}

}  // namespace
}  // namespace veil::nn
