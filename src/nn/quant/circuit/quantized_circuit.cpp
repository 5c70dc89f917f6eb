#include "veil/nn/quant/quantized_circuit.hpp"

#include <cmath>
#include <string>

#include "nn/quant/circuit/exact_accumulation.hpp"
#include "veil/common/error.hpp"

namespace veil::nn::quant {

const char* qop_name(QOpKind op) {
  switch (op) {
    case QOpKind::QuantizeInput: return "QuantizeInput";
    case QOpKind::IntConv2d: return "IntConv2d";
    case QOpKind::IntLinear: return "IntLinear";
    case QOpKind::Combine: return "Combine";
    case QOpKind::SumPool2d: return "SumPool2d";
    case QOpKind::MaxPool2d: return "MaxPool2d";
    case QOpKind::Lookup: return "Lookup";
    case QOpKind::Flatten: return "Flatten";
  }
  return "?";
}

namespace {

// One body for both constnesses: Node is QNode or const QNode.
template <class Node>
auto* lookup_of(Node& node) {
  auto* lookup = std::get_if<LookupAttrs>(&node.attrs);
  if (auto* pool = std::get_if<MaxPool2dAttrs>(&node.attrs)) lookup = &pool->pair;
  return lookup;
}

}  // namespace

LookupAttrs* pbs_lookup(QNode& node) { return lookup_of(node); }
const LookupAttrs* pbs_lookup(const QNode& node) { return lookup_of(node); }

QValueId QuantizedCircuit::add(QNode node) {
  nodes.push_back(std::move(node));
  return static_cast<QValueId>(nodes.size() - 1);
}

const QNode& QuantizedCircuit::node(QValueId v) const {
  if (v < 0 || static_cast<std::size_t>(v) >= nodes.size()) {
    throw InvalidArgument("quantized circuit: value " + std::to_string(v) + " out of range [0, " +
                          std::to_string(nodes.size()) + ")");
  }
  return nodes[static_cast<std::size_t>(v)];
}

namespace {

[[noreturn]] void fail(const QNode& n, const std::string& what) {
  throw InvalidArgument("quantized circuit node '" + n.name + "' (" + qop_name(n.op) + "): " + what);
}

void expect_size(const QNode& n, const char* field, std::size_t found, std::size_t expected) {
  if (found != expected) {
    fail(n, std::string(field) + " has " + std::to_string(found) + " entries, expected " + std::to_string(expected));
  }
}

void expect_per_channel(const QNode& n, const char* field, std::size_t found, std::int64_t channels) {
  if (found != 1 && found != static_cast<std::size_t>(channels)) {
    fail(n,
         std::string(field) + " has " + std::to_string(found) + " entries, expected 1 or " + std::to_string(channels));
  }
}

std::int64_t pooled(std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t p) {
  return (in + 2 * p - k) / s + 1;
}

void check_pool(const QNode& n, const Shape& in, std::int64_t k, std::int64_t s, std::int64_t p) {
  if (in.size() != 3) fail(n, "input shape " + to_string(in) + ", expected [C, H, W]");
  constexpr std::int64_t kMaxWindow = std::int64_t{1} << 31;  // keeps in + 2p from overflowing
  if (k < 1 || s < 1 || p < 0 || p >= k || k > kMaxWindow || s > kMaxWindow || in[1] + 2 * p < k || in[2] + 2 * p < k) {
    fail(n, "window kernel " + std::to_string(k) + " stride " + std::to_string(s) + " padding " + std::to_string(p) +
                " does not fit input " + to_string(in));
  }
  const Shape expected{in[0], pooled(in[1], k, s, p), pooled(in[2], k, s, p)};
  if (n.shape != expected) fail(n, "shape " + to_string(n.shape) + ", expected " + to_string(expected));
}

void check_lookup(const QNode& n, const LookupAttrs& l, std::int64_t channels) {
  if (l.bits < 1 || l.bits > 40) fail(n, "lookup bits " + std::to_string(l.bits) + ", expected 1..40");
  if (l.shift < 0 || l.shift > 62) fail(n, "lookup shift " + std::to_string(l.shift) + ", expected 0..62");
  // lookup_entry subtracts the offset from an index below 2^40 (value_ranges reads the tables'
  // ends): this keeps the difference an int64.
  if (l.offset < -(std::int64_t{1} << 62) || l.offset > (std::int64_t{1} << 62)) {
    fail(n, "lookup offset " + std::to_string(l.offset) + ", expected -2^62..2^62");
  }
  expect_per_channel(n, "lookup in_scale", l.function.in_scale.size(), channels);
  expect_per_channel(n, "lookup out_scale", l.function.out_scale.size(), channels);
  for (double s : l.function.out_scale) {
    if (!(s > 0.0) || !std::isfinite(s)) fail(n, "lookup out_scale " + std::to_string(s) + ", expected > 0");
  }
  for (double s : l.function.in_scale) {
    if (!std::isfinite(s)) fail(n, "lookup in_scale " + std::to_string(s) + ", expected a finite number");
  }
  if (l.function.out_min > l.function.out_max) {
    fail(n, "lookup output range [" + std::to_string(l.function.out_min) + ", " + std::to_string(l.function.out_max) +
                "] is empty");
  }
}

void check_node(const QuantizedCircuit& c, std::size_t index) {
  const QNode& n = c.nodes[index];
  for (QValueId in : n.inputs) {
    if (in < 0 || static_cast<std::size_t>(in) >= index) {
      fail(n,
           "input value " + std::to_string(in) + " is not an earlier node (node index " + std::to_string(index) + ")");
    }
  }
  const std::size_t expected_inputs = n.op == QOpKind::QuantizeInput ? 0
                                      : n.op == QOpKind::Combine     ? n.inputs.size()
                                                                     : 1;
  expect_size(n, "inputs", n.inputs.size(), expected_inputs);
  if ((index == 0) != (n.op == QOpKind::QuantizeInput)) fail(n, "QuantizeInput must be node 0 and only node 0");
  const Shape in = n.inputs.empty() ? n.shape : c.nodes[static_cast<std::size_t>(n.inputs[0])].shape;
  const std::int64_t channels = n.shape.empty() ? 1 : n.shape[0];
  expect_per_channel(n, "scale", n.scale.scale.size(), channels);
  expect_per_channel(n, "zero_point", n.scale.zero_point.size(), channels);
  for (std::int64_t d : n.shape) {
    if (d < 1) fail(n, "shape " + to_string(n.shape) + " has an empty dimension");
  }
  for (double s : n.scale.scale) {
    if (!(s > 0.0) || !std::isfinite(s)) fail(n, "scale " + std::to_string(s) + ", expected > 0");
  }
  auto wrong_attrs = [&] { fail(n, "attributes do not match the op"); };
  switch (n.op) {
    case QOpKind::QuantizeInput: {
      const auto* a = std::get_if<QuantizeInputAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      if (!(a->scale > 0.0) || a->q_min > a->q_max) fail(n, "input scale must be > 0 and q_min <= q_max");
      break;
    }
    case QOpKind::IntConv2d: {
      const auto* a = std::get_if<IntConv2dAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      const Shape& w = a->weight_shape;
      if (w.size() != 4 || in.size() != 3 || w[0] < 1 || w[1] != in[0] || w[2] < 1 || w[2] != w[3]) {
        fail(n, "weight shape " + to_string(w) + " does not fit input " + to_string(in));
      }
      expect_size(n, "weight", a->weight.size(), static_cast<std::size_t>(element_count(w)));
      expect_size(n, "bias", a->bias.size(), static_cast<std::size_t>(w[0]));
      check_pool(n, Shape{w[0], in[1], in[2]}, w[2], a->stride, a->padding);
      break;
    }
    case QOpKind::IntLinear: {
      const auto* a = std::get_if<IntLinearAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      const Shape& w = a->weight_shape;
      if (w.size() != 2 || in.size() != 1 || w[0] < 1 || w[1] != in[0]) {
        fail(n, "weight shape " + to_string(w) + " does not fit input " + to_string(in));
      }
      expect_size(n, "weight", a->weight.size(), static_cast<std::size_t>(element_count(w)));
      expect_size(n, "bias", a->bias.size(), static_cast<std::size_t>(w[0]));
      if (n.shape != Shape{w[0]}) fail(n, "shape " + to_string(n.shape) + ", expected [" + std::to_string(w[0]) + "]");
      break;
    }
    case QOpKind::Combine: {
      const auto* a = std::get_if<CombineAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      if (n.inputs.empty()) fail(n, "needs at least one input");
      expect_size(n, "multipliers", a->multipliers.size(), n.inputs.size());
      for (std::size_t i = 0; i < n.inputs.size(); ++i) {
        const Shape& s = c.nodes[static_cast<std::size_t>(n.inputs[i])].shape;
        if (s != n.shape)
          fail(n, "input " + std::to_string(i) + " shape " + to_string(s) + ", expected " + to_string(n.shape));
        expect_per_channel(n, "multipliers", a->multipliers[i].size(), channels);
      }
      expect_per_channel(n, "bias", a->bias.size(), channels);
      break;
    }
    case QOpKind::SumPool2d: {
      const auto* a = std::get_if<SumPool2dAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      check_pool(n, in, a->kernel, a->stride, a->padding);
      break;
    }
    case QOpKind::MaxPool2d: {
      const auto* a = std::get_if<MaxPool2dAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      check_pool(n, in, a->kernel, a->stride, a->padding);
      check_lookup(n, a->pair, 1);
      break;
    }
    case QOpKind::Lookup: {
      const auto* a = std::get_if<LookupAttrs>(&n.attrs);
      if (!a) wrong_attrs();
      if (n.shape != in) fail(n, "shape " + to_string(n.shape) + ", expected the input's " + to_string(in));
      check_lookup(n, *a, channels);
      break;
    }
    case QOpKind::Flatten: {
      if (!std::holds_alternative<FlattenAttrs>(n.attrs)) wrong_attrs();
      if (n.shape != Shape{element_count(in)})
        fail(n, "shape " + to_string(n.shape) + ", expected flat " + to_string(in));
      break;
    }
  }
}

}  // namespace

void validate_circuit(const QuantizedCircuit& circuit) {
  if (circuit.nodes.empty()) throw InvalidArgument("quantized circuit: no nodes");
  for (std::size_t i = 0; i < circuit.nodes.size(); ++i) check_node(circuit, i);
  circuit.node(circuit.output);
  if (circuit.output_decode_bound < 0 || circuit.output_decode_bound > (std::int64_t{1} << 62)) {
    throw InvalidArgument("quantized circuit: output_decode_bound " + std::to_string(circuit.output_decode_bound) +
                          " outside [0, 2^62]");
  }
  check_exact_accumulation(circuit);
}

}  // namespace veil::nn::quant
