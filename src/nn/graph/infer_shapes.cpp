#include "veil/common/error.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {
namespace {

std::string where(const Node& n) { return std::string(op_name(n.op)) + " '" + n.name + "'"; }

void expect_inputs(const Node& n, std::size_t count) {
  if (n.inputs.size() != count)
    throw InvalidArgument(where(n) + ": " + std::to_string(n.inputs.size()) + " inputs, expected " +
                          std::to_string(count));
}

void expect_rank(const Node& n, const Shape& s, std::size_t rank) {
  if (s.size() != rank)
    throw InvalidArgument(where(n) + ": input shape " + to_string(s) + ", expected rank " + std::to_string(rank));
}

const Tensor& param(const Node& n, const std::string& key, const Shape& expected) {
  auto it = n.params.find(key);
  if (it == n.params.end()) throw InvalidArgument(where(n) + ": missing parameter '" + key + "'");
  if (it->second.shape != expected)
    throw InvalidArgument(where(n) + ": parameter '" + key + "' has shape " + to_string(it->second.shape) +
                          ", expected " + to_string(expected));
  return it->second;
}

void expect_only_params(const Node& n, std::initializer_list<const char*> allowed) {
  for (const auto& [key, t] : n.params) {
    bool ok = false;
    for (const char* a : allowed) ok = ok || key == a;
    if (!ok) throw InvalidArgument(where(n) + ": unexpected parameter '" + key + "'");
  }
}

std::int64_t window_output(const Node& n, std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p) {
  if (k < 1 || s < 1 || p < 0)
    throw InvalidArgument(where(n) + ": kernel " + std::to_string(k) + ", stride " + std::to_string(s) + ", padding " +
                          std::to_string(p) + "; expected kernel >= 1, stride >= 1, padding >= 0");
  const std::int64_t out = (in + 2 * p - k) / s + 1;
  if (in + 2 * p < k)
    throw InvalidArgument(where(n) + ": input size " + std::to_string(in) + " with padding " + std::to_string(p) +
                          " is smaller than kernel " + std::to_string(k));
  return out;
}

Shape infer(const Node& n, const std::vector<const Shape*>& in) {
  switch (n.op) {
    case OpKind::Input:
      expect_inputs(n, 0);
      if (n.shape.empty() || element_count(n.shape) == 0)
        throw InvalidArgument(where(n) + ": input shape " + to_string(n.shape) + " is empty");
      return n.shape;
    case OpKind::Conv2d: {
      expect_inputs(n, 1);
      expect_rank(n, *in[0], 3);
      expect_only_params(n, {"weight", "bias"});
      auto it = n.params.find("weight");
      if (it == n.params.end()) throw InvalidArgument(where(n) + ": missing parameter 'weight'");
      const Shape& w = it->second.shape;
      if (w.size() != 4 || w[1] != (*in[0])[0] || w[2] != w[3])
        throw InvalidArgument(where(n) + ": weight shape " + to_string(w) + ", expected [O, " +
                              std::to_string((*in[0])[0]) + ", k, k]");
      if (n.params.count("bias")) param(n, "bias", {w[0]});
      const auto& a = std::get<Conv2dAttrs>(n.attrs);
      return {w[0], window_output(n, (*in[0])[1], w[2], a.stride, a.padding),
              window_output(n, (*in[0])[2], w[3], a.stride, a.padding)};
    }
    case OpKind::BatchNorm2d: {
      expect_inputs(n, 1);
      expect_rank(n, *in[0], 3);
      expect_only_params(n, {"weight", "bias", "running_mean", "running_var"});
      const Shape c{(*in[0])[0]};
      for (const char* key : {"weight", "bias", "running_mean", "running_var"}) param(n, key, c);
      for (float v : n.params.at("running_var").data)
        if (!(v >= 0.0f))
          throw InvalidArgument(where(n) + ": running_var has " + std::to_string(v) + ", expected >= 0");
      if (!(std::get<BatchNormAttrs>(n.attrs).eps > 0.0f)) throw InvalidArgument(where(n) + ": eps must be > 0");
      return *in[0];
    }
    case OpKind::Relu:
      expect_inputs(n, 1);
      expect_only_params(n, {});
      return *in[0];
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d: {
      expect_inputs(n, 1);
      expect_rank(n, *in[0], 3);
      expect_only_params(n, {});
      const auto& a = std::get<Pool2dAttrs>(n.attrs);
      if (2 * a.padding > a.kernel)
        throw InvalidArgument(where(n) + ": padding " + std::to_string(a.padding) + " exceeds half the kernel " +
                              std::to_string(a.kernel));
      return {(*in[0])[0], window_output(n, (*in[0])[1], a.kernel, a.stride, a.padding),
              window_output(n, (*in[0])[2], a.kernel, a.stride, a.padding)};
    }
    case OpKind::Add:
      expect_inputs(n, 2);
      expect_only_params(n, {});
      if (*in[0] != *in[1])
        throw InvalidArgument(where(n) + ": input shapes " + to_string(*in[0]) + " and " + to_string(*in[1]) +
                              " differ");
      return *in[0];
    case OpKind::Flatten:
      expect_inputs(n, 1);
      expect_only_params(n, {});
      return {element_count(*in[0])};
    case OpKind::Linear: {
      expect_inputs(n, 1);
      expect_rank(n, *in[0], 1);
      expect_only_params(n, {"weight", "bias"});
      auto it = n.params.find("weight");
      if (it == n.params.end()) throw InvalidArgument(where(n) + ": missing parameter 'weight'");
      const Shape& w = it->second.shape;
      if (w.size() != 2 || w[1] != (*in[0])[0])
        throw InvalidArgument(where(n) + ": weight shape " + to_string(w) + ", expected [O, " +
                              std::to_string((*in[0])[0]) + "]");
      param(n, "bias", {w[0]});
      return {w[0]};
    }
  }
  throw InvalidArgument(where(n) + ": unknown op");
}

bool attrs_match(const Node& n) {
  switch (n.op) {
    case OpKind::Conv2d: return std::holds_alternative<Conv2dAttrs>(n.attrs);
    case OpKind::MaxPool2d:
    case OpKind::AvgPool2d: return std::holds_alternative<Pool2dAttrs>(n.attrs);
    case OpKind::BatchNorm2d: return std::holds_alternative<BatchNormAttrs>(n.attrs);
    default: return std::holds_alternative<NoAttrs>(n.attrs);
  }
}

}  // namespace

void infer_shapes_inplace(Graph& graph) {
  if (graph.nodes.empty() || graph.nodes[0].op != OpKind::Input)
    throw InvalidArgument("graph must start with an Input node");
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    Node& n = graph.nodes[i];
    if (i > 0 && n.op == OpKind::Input) throw InvalidArgument(where(n) + ": only node 0 may be an Input");
    if (!attrs_match(n)) throw InvalidArgument(where(n) + ": attributes of the wrong kind for this op");
    std::vector<const Shape*> in;
    for (ValueId v : n.inputs) {
      if (v < 0 || static_cast<std::size_t>(v) >= i)
        throw InvalidArgument(where(n) + ": input value " + std::to_string(v) + ", expected one of [0, " +
                              std::to_string(i) + ")");
      in.push_back(&graph.nodes[static_cast<std::size_t>(v)].shape);
    }
    n.shape = infer(n, in);
  }
  if (graph.output < 0 || static_cast<std::size_t>(graph.output) >= graph.nodes.size())
    throw InvalidArgument("graph output " + std::to_string(graph.output) + " is not a value of the graph");
}

}  // namespace veil::nn
