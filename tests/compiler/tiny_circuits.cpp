#include "compiler/tiny_circuits.hpp"

#include "nn/quant/circuit_builder.hpp"

namespace veil::compiler::testing {
namespace {

using namespace nn::quant;
constexpr auto add = nn::quant::testing::add_node;

// entry(i) = clamp(round(max((i - offset) * 2^shift, 0) / out_scale), 0, out_max).
LookupAttrs relu_lookup(int bits, int shift, std::int64_t offset, double out_scale, std::int64_t out_max) {
  LookupAttrs l;
  l.bits = bits;
  l.shift = shift;
  l.offset = offset;
  l.function.relu = true;
  l.function.out_scale = {out_scale};
  l.function.out_min = 0;
  l.function.out_max = out_max;
  return l;
}

}  // namespace

QuantizedCircuit residual_circuit() {
  QuantizedCircuit c;
  const QValueId x = add(c, QOpKind::QuantizeInput, "input", {}, QuantizeInputAttrs{1.0, 0, 0, 15}, {1, 4, 4});
  IntConv2dAttrs conv1{{2, 1, 3, 3}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 0, 0, -3, 0, 0, 0, 1}, {5, -7}, 1, 1, 0};
  const QValueId a1 = add(c, QOpKind::IntConv2d, "conv1", {x}, conv1, {2, 4, 4});
  const QValueId r1 = add(c, QOpKind::Lookup, "relu1", {a1}, relu_lookup(4, 3, 8, 8.0, 15), {2, 4, 4});
  IntConv2dAttrs conv2{{2, 2, 1, 1}, {1, 2, -1, 3}, {0, 1}, 1, 0, 0};
  const QValueId a2 = add(c, QOpKind::IntConv2d, "conv2", {r1}, conv2, {2, 4, 4});
  const QValueId r2 = add(c, QOpKind::Lookup, "relu2", {a2}, relu_lookup(4, 1, 8, 2.0, 7), {2, 4, 4});
  const QValueId join = add(c, QOpKind::Combine, "add", {r2, r1, r1}, CombineAttrs{{{1}, {3, 5}, {2}}, {0}}, {2, 4, 4});
  const QValueId r3 = add(c, QOpKind::Lookup, "relu3", {join}, relu_lookup(3, 5, 4, 32.0, 3), {2, 4, 4});
  const QValueId pool = add(c, QOpKind::SumPool2d, "pool", {r3}, SumPool2dAttrs{2, 2, 0, 0, 0}, {2, 2, 2});
  const QValueId flat = add(c, QOpKind::Flatten, "flatten", {pool}, FlattenAttrs{}, {8});
  IntLinearAttrs fc{
      {3, 8}, {1, 1, 1, 1, 1, 1, 1, 1, 1, -1, 2, -2, 3, -3, 4, -4, 10, 0, 0, 0, 0, 0, 0, 0}, {0, 100, -3}};
  c.output = add(c, QOpKind::IntLinear, "fc", {flat}, fc, {3});
  return c;
}

QuantizedCircuit max_pool_circuit(MaxPoolSchedule schedule) {
  QuantizedCircuit c;
  const QValueId x = add(c, QOpKind::QuantizeInput, "input", {}, QuantizeInputAttrs{1.0, 0, 0, 15}, {1, 6, 6});
  const QValueId a =
      add(c, QOpKind::IntConv2d, "conv", {x}, IntConv2dAttrs{{1, 1, 1, 1}, {3}, {1}, 1, 0, 0}, {1, 6, 6});
  const QValueId pooled = add(c, QOpKind::MaxPool2d, "maxpool", {a},
                              MaxPool2dAttrs{3, 2, 1, 1, schedule, relu_lookup(6, 1, 32, 1.0, 63)}, {1, 3, 3});
  const QValueId requant = add(c, QOpKind::Lookup, "requant", {pooled}, relu_lookup(5, 3, 0, 8.0, 15), {1, 3, 3});
  const QValueId sum = add(c, QOpKind::SumPool2d, "sumpool", {a}, SumPool2dAttrs{3, 2, 1, 0, 0}, {1, 3, 3});
  c.output = add(c, QOpKind::Combine, "join", {requant, sum}, CombineAttrs{{{4}, {1}}, {0}}, {1, 3, 3});
  return c;
}

QuantizedCircuit branches_circuit(const std::array<std::int64_t, 3>& weights, const std::array<int, 3>& shifts) {
  QuantizedCircuit c;
  const QValueId x = add(c, QOpKind::QuantizeInput, "input", {}, QuantizeInputAttrs{1.0, 0, 0, 15}, {1, 4, 4});
  const QValueId first = add(c, QOpKind::Lookup, "first", {x}, relu_lookup(7, 0, 0, 0.125, 127), {1, 4, 4});
  std::vector<QValueId> branches;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const std::string name(1, static_cast<char>('a' + i));
    const QValueId conv = add(c, QOpKind::IntConv2d, "conv_" + name, {first},
                              IntConv2dAttrs{{1, 1, 1, 1}, {weights[i]}, {0}, 1, 0, 0}, {1, 4, 4});
    branches.push_back(add(c, QOpKind::Lookup, name, {conv}, relu_lookup(7, shifts[i], 0, 1.0, 127), {1, 4, 4}));
  }
  c.output = add(c, QOpKind::Combine, "join", branches, CombineAttrs{{{1}, {1}, {1}}, {0}}, {1, 4, 4});
  return c;
}

}  // namespace veil::compiler::testing
