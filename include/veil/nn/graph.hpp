#pragma once
// A small dataflow graph of NN ops: plain data that later passes (BN folding, the
// quantizer, the FHE compiler) walk and rewrite with free functions.
//
// Node i produces value i (a ValueId); a node's inputs are values of earlier nodes,
// so the node vector is always in topological order. Shapes are per image (no batch
// dimension): [C, H, W] for feature maps, [F] after Flatten.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "veil/common/tensor.hpp"

namespace veil::nn {

using ValueId = std::int32_t;

enum class OpKind { Input, Conv2d, BatchNorm2d, Relu, MaxPool2d, Add, AvgPool2d, Flatten, Linear };

/// "Conv2d", "BatchNorm2d", ...
const char* op_name(OpKind op);

/// Square stride and zero padding; the kernel size comes from the weight's shape, groups = 1.
struct Conv2dAttrs {
  std::int64_t stride = 1;
  std::int64_t padding = 0;
};

/// Square window. MaxPool pads with -inf; AvgPool pads with zeros that count in the
/// divisor (PyTorch's count_include_pad=True). Output size rounds down (ceil_mode=False).
struct Pool2dAttrs {
  std::int64_t kernel = 1;
  std::int64_t stride = 1;
  std::int64_t padding = 0;
};

struct BatchNormAttrs {
  float eps = 1e-5f;
};

struct NoAttrs {};

using OpAttrs = std::variant<NoAttrs, Conv2dAttrs, Pool2dAttrs, BatchNormAttrs>;

/// Parameter names by op: Conv2d "weight" [O,C,k,k] and optional "bias" [O];
/// BatchNorm2d "weight", "bias", "running_mean", "running_var" (each [C]);
/// Linear "weight" [O,F] and "bias" [O]. Other ops have none.
struct Node {
  OpKind op = OpKind::Input;
  std::string name;  // checkpoint prefix, e.g. "layer1.0.conv1"; unique in a graph
  std::vector<ValueId> inputs;
  OpAttrs attrs;
  std::map<std::string, Tensor> params;
  Shape shape;  // output shape per image; set by infer_shapes_inplace (given for Input)
};

struct Graph {
  std::vector<Node> nodes;
  ValueId output = -1;

  /// Appends a node and returns the value it produces.
  ValueId add(Node node);
  const Node& node(ValueId v) const;
  Node& node(ValueId v);
};

/// Checks every node (input edges, parameters, attributes) and fills Node::shape.
/// Throws InvalidArgument naming the node, the value found and the one expected.
void infer_shapes_inplace(Graph& graph);

/// How many nodes read each value (the graph output counts as one reader).
std::vector<int> count_consumers(const Graph& graph);

}  // namespace veil::nn
