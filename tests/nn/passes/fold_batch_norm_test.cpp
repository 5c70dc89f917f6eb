// BN folding is an exact rewrite up to fp32 rounding: checked with the reference kernels.
#include <gtest/gtest.h>

#include "nn/fixtures.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {
namespace {

// input -> conv(+bias?) -> BN -> relu -> add(with a second BN of the input's conv) ...
Graph conv_bn_graph(std::mt19937& rng, bool conv_bias) {
  Graph g;
  const ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, 9, 9}});
  auto conv_bn = [&](ValueId in, const std::string& name) {
    Node c{OpKind::Conv2d, name + ".conv", {in}, Conv2dAttrs{1, 1}, {}, {}};
    c.params["weight"] = testing::random_tensor({4, 3, 3, 3}, rng);
    if (conv_bias) c.params["bias"] = testing::random_tensor({4}, rng);
    Node b{OpKind::BatchNorm2d, name + ".bn", {g.add(std::move(c))}, BatchNormAttrs{1e-5f}, {}, {}};
    b.params["weight"] = testing::random_tensor({4}, rng, 0.5f, 1.5f);
    b.params["bias"] = testing::random_tensor({4}, rng);
    b.params["running_mean"] = testing::random_tensor({4}, rng, -0.1f, 0.1f);
    b.params["running_var"] = testing::random_tensor({4}, rng, 0.5f, 2.0f);
    return g.add(std::move(b));
  };
  const ValueId a = g.add({OpKind::Relu, "relu", {conv_bn(x, "a")}, NoAttrs{}, {}, {}});
  g.output = g.add({OpKind::Add, "add", {a, conv_bn(x, "b")}, NoAttrs{}, {}, {}});
  infer_shapes_inplace(g);
  return g;
}

int count(const Graph& g, OpKind op) {
  int c = 0;
  for (const Node& n : g.nodes) c += n.op == op;
  return c;
}

TEST(FoldBatchNorm, RemovesBatchNormAndKeepsOutputs) {
  for (bool conv_bias : {false, true}) {
    std::mt19937 rng(42);
    Graph g = conv_bn_graph(rng, conv_bias);
    const Tensor batch = testing::random_tensor({2, 3, 9, 9}, rng);
    Tensor before, after;
    run_reference(g, batch, before);
    fold_batch_norm_inplace(g);
    EXPECT_EQ(count(g, OpKind::BatchNorm2d), 0);
    EXPECT_EQ(g.nodes.size(), 5u);
    run_reference(g, batch, after);
    ASSERT_EQ(to_string(after.shape), to_string(before.shape));
    EXPECT_LE(testing::relative_error(after.data.data(), before.data.data(), after.data.size()), 1e-5)
        << "conv_bias=" << conv_bias;
  }
}

TEST(FoldBatchNorm, KeepsBatchNormWhoseConvHasOtherReaders) {
  std::mt19937 rng(43);
  Graph g = conv_bn_graph(rng, false);
  g.output = g.add({OpKind::Add, "extra", {1, g.output}, NoAttrs{}, {}, {}});  // conv "a" read twice
  const Tensor batch = testing::random_tensor({1, 3, 9, 9}, rng);
  Tensor before, after;
  run_reference(g, batch, before);
  fold_batch_norm_inplace(g);
  EXPECT_EQ(count(g, OpKind::BatchNorm2d), 1);
  EXPECT_EQ(g.nodes[2].name, "a.bn");
  run_reference(g, batch, after);
  EXPECT_LE(testing::relative_error(after.data.data(), before.data.data(), after.data.size()), 1e-5);
}

}  // namespace
}  // namespace veil::nn
