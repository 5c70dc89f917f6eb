// The executor (fusion, buffer reuse, channel-major layout) against run_reference on a
// small seeded graph that uses every op, with and without BN folding.
#include <gtest/gtest.h>

#include "nn/fixtures.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {
namespace {

// input [3,16,16] -> conv 3x3/2 -> BN -> relu -> maxpool 3/2/1 -> (conv 3x3 -> BN) + x -> relu
//   -> avgpool 4 -> flatten -> linear 5
Graph every_op_graph(std::mt19937& rng) {
  Graph g;
  auto conv_bn = [&](ValueId in, const std::string& name, std::int64_t c_in, std::int64_t stride) {
    Node c{OpKind::Conv2d, name, {in}, Conv2dAttrs{stride, 1}, {}, {}};
    c.params["weight"] = testing::random_tensor({6, c_in, 3, 3}, rng, -0.3f, 0.3f);
    Node b{OpKind::BatchNorm2d, name + ".bn", {g.add(std::move(c))}, BatchNormAttrs{1e-5f}, {}, {}};
    b.params["weight"] = testing::random_tensor({6}, rng, 0.5f, 1.5f);
    b.params["bias"] = testing::random_tensor({6}, rng, -0.2f, 0.2f);
    b.params["running_mean"] = testing::random_tensor({6}, rng, -0.1f, 0.1f);
    b.params["running_var"] = testing::random_tensor({6}, rng, 0.5f, 2.0f);
    return g.add(std::move(b));
  };
  ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, 16, 16}});
  x = g.add({OpKind::Relu, "relu", {conv_bn(x, "conv1", 3, 2)}, NoAttrs{}, {}, {}});
  x = g.add({OpKind::MaxPool2d, "maxpool", {x}, Pool2dAttrs{3, 2, 1}, {}, {}});
  const ValueId sum = g.add({OpKind::Add, "add", {conv_bn(x, "conv2", 6, 1), x}, NoAttrs{}, {}, {}});
  x = g.add({OpKind::Relu, "relu2", {sum}, NoAttrs{}, {}, {}});
  x = g.add({OpKind::AvgPool2d, "avgpool", {x}, Pool2dAttrs{4, 1, 0}, {}, {}});
  x = g.add({OpKind::Flatten, "flatten", {x}, NoAttrs{}, {}, {}});
  Node fc{OpKind::Linear, "fc", {x}, NoAttrs{}, {}, {}};
  fc.params["weight"] = testing::random_tensor({5, 6}, rng);
  fc.params["bias"] = testing::random_tensor({5}, rng);
  g.output = g.add(std::move(fc));
  infer_shapes_inplace(g);
  return g;
}

TEST(Fp32Executor, MatchesReferenceWithAndWithoutFolding) {
  std::mt19937 rng(77);
  const Graph graph = every_op_graph(rng);
  const Tensor batch = testing::random_tensor({3, 3, 16, 16}, rng);
  Tensor expected;
  run_reference(graph, batch, expected);
  Graph folded = graph;
  fold_batch_norm_inplace(folded);
  for (bool fold : {false, true}) {
    Fp32Executor executor(fold ? folded : graph, 2);
    for (int repeat = 0; repeat < 2; ++repeat) {  // the second run reuses pooled buffers
      Tensor out;
      executor.run(batch, out);
      ASSERT_EQ(to_string(out.shape), "[3, 5]");
      EXPECT_LE(testing::relative_error(out.data.data(), expected.data.data(), out.data.size()), 1e-5)
          << "fold=" << fold << " repeat=" << repeat;
    }
  }
}

TEST(Fp32Executor, RejectsWrongImageShape) {
  Graph g;
  g.output = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, 4, 4}});
  g.output = g.add({OpKind::Relu, "relu", {g.output}, NoAttrs{}, {}, {}});
  Fp32Executor executor(std::move(g), 1);
  Tensor out;
  EXPECT_THROW(executor.run(Tensor({2, 3, 4, 5}), out), InvalidArgument);
  EXPECT_THROW(executor.run(Tensor({0, 3, 4, 4}), out), InvalidArgument);
  executor.run(Tensor({2, 3, 4, 4}), out);
  EXPECT_EQ(to_string(out.shape), "[2, 3, 4, 4]");
}

TEST(Fp32Executor, RejectsInvalidGraph) {
  std::mt19937 rng(78);
  Graph g = every_op_graph(rng);
  g.nodes.back().params.erase("bias");
  EXPECT_THROW(Fp32Executor(std::move(g), 1), InvalidArgument);
}

}  // namespace
}  // namespace veil::nn
