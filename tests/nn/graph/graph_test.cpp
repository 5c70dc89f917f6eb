// Shape inference and validation of hand-built graphs.
#include <gtest/gtest.h>

#include "veil/common/error.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {
namespace {

Graph conv_graph(Shape weight_shape, Conv2dAttrs attrs = {1, 1}) {
  Graph g;
  const ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, 8, 8}});
  Node conv{OpKind::Conv2d, "conv", {x}, attrs, {}, {}};
  conv.params["weight"] = Tensor(std::move(weight_shape));
  g.output = g.add(std::move(conv));
  return g;
}

std::string error_of(Graph g) {
  try {
    infer_shapes_inplace(g);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Graph, InfersConvPoolFlattenLinearShapes) {
  Graph g = conv_graph({4, 3, 3, 3}, {2, 1});
  const ValueId pooled = g.add({OpKind::MaxPool2d, "pool", {g.output}, Pool2dAttrs{3, 2, 1}, {}, {}});
  const ValueId flat = g.add({OpKind::Flatten, "flat", {pooled}, NoAttrs{}, {}, {}});
  Node fc{OpKind::Linear, "fc", {flat}, NoAttrs{}, {}, {}};
  fc.params["weight"] = Tensor({10, 16});
  fc.params["bias"] = Tensor({10});
  g.output = g.add(std::move(fc));
  infer_shapes_inplace(g);
  EXPECT_EQ(to_string(g.node(1).shape), "[4, 4, 4]");
  EXPECT_EQ(to_string(g.node(pooled).shape), "[4, 2, 2]");
  EXPECT_EQ(to_string(g.node(g.output).shape), "[10]");
}

TEST(Graph, RejectsWeightWithWrongInputChannels) {
  const std::string msg = error_of(conv_graph({4, 5, 3, 3}));
  EXPECT_NE(msg.find("Conv2d 'conv'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[4, 5, 3, 3]"), std::string::npos) << msg;
}

TEST(Graph, RejectsKernelLargerThanInput) {
  EXPECT_NE(error_of(conv_graph({4, 3, 11, 11}, {1, 0})).find("smaller than kernel"), std::string::npos);
}

TEST(Graph, RejectsForwardEdgesAndBadOutput) {
  Graph g = conv_graph({4, 3, 3, 3});
  g.nodes[1].inputs = {5};
  EXPECT_NE(error_of(g).find("input value 5"), std::string::npos);
  Graph h = conv_graph({4, 3, 3, 3});
  h.output = 9;
  EXPECT_NE(error_of(h).find("output 9"), std::string::npos);
}

TEST(Graph, RejectsAddOfDifferentShapesAndWrongAttrs) {
  Graph g = conv_graph({4, 3, 3, 3});
  g.output = g.add({OpKind::Add, "add", {0, 1}, NoAttrs{}, {}, {}});
  EXPECT_NE(error_of(g).find("differ"), std::string::npos);
  Graph h = conv_graph({4, 3, 3, 3});
  h.nodes[1].attrs = Pool2dAttrs{};
  EXPECT_NE(error_of(h).find("attributes"), std::string::npos);
}

TEST(Graph, RejectsUnknownParameter) {
  Graph g = conv_graph({4, 3, 3, 3});
  g.nodes[1].params["scale"] = Tensor({4});
  EXPECT_NE(error_of(g).find("unexpected parameter 'scale'"), std::string::npos);
}

TEST(Graph, CountsConsumersIncludingOutput) {
  Graph g = conv_graph({3, 3, 3, 3});
  g.output = g.add({OpKind::Add, "add", {0, 1}, NoAttrs{}, {}, {}});
  EXPECT_EQ(count_consumers(g), (std::vector<int>{2, 1, 1}));  // input: conv and add
}

}  // namespace
}  // namespace veil::nn
