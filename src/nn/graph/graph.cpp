#include "veil/nn/graph.hpp"

#include "veil/common/error.hpp"

namespace veil::nn {

const char* op_name(OpKind op) {
  switch (op) {
    case OpKind::Input: return "Input";
    case OpKind::Conv2d: return "Conv2d";
    case OpKind::BatchNorm2d: return "BatchNorm2d";
    case OpKind::Relu: return "ReLU";
    case OpKind::MaxPool2d: return "MaxPool2d";
    case OpKind::Add: return "Add";
    case OpKind::AvgPool2d: return "AvgPool2d";
    case OpKind::Flatten: return "Flatten";
    case OpKind::Linear: return "Linear";
  }
  return "?";
}

ValueId Graph::add(Node n) {
  nodes.push_back(std::move(n));
  return static_cast<ValueId>(nodes.size() - 1);
}

const Node& Graph::node(ValueId v) const {
  if (v < 0 || static_cast<std::size_t>(v) >= nodes.size())
    throw InvalidArgument("value " + std::to_string(v) + " out of range [0, " + std::to_string(nodes.size()) + ")");
  return nodes[static_cast<std::size_t>(v)];
}

Node& Graph::node(ValueId v) { return const_cast<Node&>(static_cast<const Graph&>(*this).node(v)); }

std::vector<int> count_consumers(const Graph& graph) {
  std::vector<int> count(graph.nodes.size(), 0);
  for (const auto& n : graph.nodes)
    for (ValueId v : n.inputs) ++count.at(static_cast<std::size_t>(v));
  if (graph.output >= 0) ++count.at(static_cast<std::size_t>(graph.output));
  return count;
}

}  // namespace veil::nn
