#include <algorithm>

#include "check.hpp"
#include "veil/nn/reference_kernels.hpp"

namespace veil::nn {

void run_reference(const Graph& graph, const Tensor& batch, Tensor& output) {
  const Shape& in_shape = graph.node(0).shape;
  if (batch.shape.size() != in_shape.size() + 1 ||
      !std::equal(in_shape.begin(), in_shape.end(), batch.shape.begin() + 1))
    throw InvalidArgument("run_reference: batch shape " + to_string(batch.shape) + ", expected [N, " +
                          to_string(in_shape).substr(1));
  std::vector<Tensor> values(graph.nodes.size());
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    auto in = [&](std::size_t k) -> const Tensor& { return values[static_cast<std::size_t>(n.inputs[k])]; };
    auto p = [&](const char* key) -> const Tensor& { return n.params.at(key); };
    Tensor& y = values[i];
    switch (n.op) {
      case OpKind::Input: y = batch; break;
      case OpKind::Conv2d: {
        auto b = n.params.find("bias");
        reference_conv2d(in(0), p("weight"), b == n.params.end() ? nullptr : &b->second, std::get<Conv2dAttrs>(n.attrs),
                         y);
        break;
      }
      case OpKind::BatchNorm2d:
        reference_batch_norm2d(in(0), p("weight"), p("bias"), p("running_mean"), p("running_var"),
                               std::get<BatchNormAttrs>(n.attrs).eps, y);
        break;
      case OpKind::Relu: reference_relu(in(0), y); break;
      case OpKind::MaxPool2d: reference_max_pool2d(in(0), std::get<Pool2dAttrs>(n.attrs), y); break;
      case OpKind::AvgPool2d: reference_avg_pool2d(in(0), std::get<Pool2dAttrs>(n.attrs), y); break;
      case OpKind::Add: reference_add(in(0), in(1), y); break;
      case OpKind::Flatten: reference_flatten(in(0), y); break;
      case OpKind::Linear: reference_linear(in(0), p("weight"), p("bias"), y); break;
    }
  }
  output = std::move(values[static_cast<std::size_t>(graph.output)]);
}

}  // namespace veil::nn
