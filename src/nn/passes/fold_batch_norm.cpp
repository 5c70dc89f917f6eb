#include "veil/nn/fold_batch_norm.hpp"

#include <cmath>

namespace veil::nn {
namespace {

// Folds BN node `bn` into the (already copied) conv node `conv`, in double for accuracy.
void fold_into(Node& conv, const Node& bn) {
  Tensor& w = conv.params.at("weight");
  const std::int64_t out_channels = w.dim(0);
  const std::int64_t per_channel = w.size() / out_channels;
  const float eps = std::get<BatchNormAttrs>(bn.attrs).eps;
  const auto& gamma = bn.params.at("weight").data;
  const auto& beta = bn.params.at("bias").data;
  const auto& mean = bn.params.at("running_mean").data;
  const auto& var = bn.params.at("running_var").data;
  Tensor bias({out_channels});
  if (auto it = conv.params.find("bias"); it != conv.params.end()) bias = it->second;
  for (std::int64_t o = 0; o < out_channels; ++o) {
    const auto c = static_cast<std::size_t>(o);
    const double scale = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
    float* row = w.data.data() + o * per_channel;
    for (std::int64_t i = 0; i < per_channel; ++i) row[i] = static_cast<float>(row[i] * scale);
    bias.data[c] = static_cast<float>((bias.data[c] - mean[c]) * scale + beta[c]);
  }
  conv.params["bias"] = std::move(bias);
}

}  // namespace

void fold_batch_norm_inplace(Graph& graph) {
  infer_shapes_inplace(graph);  // validates edges and parameters before they are used
  const std::vector<int> consumers = count_consumers(graph);
  std::vector<ValueId> remap(graph.nodes.size(), -1);
  Graph out;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& n = graph.nodes[i];
    if (n.op == OpKind::BatchNorm2d && n.inputs.size() == 1) {
      const ValueId src = n.inputs[0];
      const Node& producer = graph.nodes.at(static_cast<std::size_t>(src));
      // consumers counts the graph output too, so a conv that is the output is never folded.
      if (producer.op == OpKind::Conv2d && consumers[static_cast<std::size_t>(src)] == 1) {
        const ValueId folded = remap[static_cast<std::size_t>(src)];
        fold_into(out.nodes[static_cast<std::size_t>(folded)], n);
        remap[i] = folded;
        continue;
      }
    }
    for (ValueId& v : n.inputs) v = remap.at(static_cast<std::size_t>(v));
    remap[i] = out.add(std::move(n));
  }
  out.output = remap.at(static_cast<std::size_t>(graph.output));
  infer_shapes_inplace(out);
  graph = std::move(out);
}

}  // namespace veil::nn
