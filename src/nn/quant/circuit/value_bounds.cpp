#include "nn/quant/circuit/value_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::nn::quant {
namespace {

constexpr double kExactLimit = 9007199254740992.0;  // 2^53

double max_abs(const std::vector<std::int64_t>& v) {
  double m = 0.0;
  for (std::int64_t x : v) m = std::max(m, std::fabs(static_cast<double>(x)));
  return m;
}

// Largest |table entry|: the function is monotone in the index, so the ends suffice.
double lookup_bound(const LookupAttrs& l) {
  return std::max(std::fabs(static_cast<double>(l.function.out_min)), std::fabs(static_cast<double>(l.function.out_max)));
}

// Largest sum_k |w[o, k]| over output rows o.
double max_row_l1(const std::vector<std::int64_t>& w, std::int64_t rows) {
  const std::size_t cols = w.size() / static_cast<std::size_t>(rows);
  double m = 0.0;
  for (std::int64_t o = 0; o < rows; ++o) {
    double s = 0.0;
    for (std::size_t k = 0; k < cols; ++k) s += std::fabs(static_cast<double>(w[static_cast<std::size_t>(o) * cols + k]));
    m = std::max(m, s);
  }
  return m;
}

}  // namespace

std::vector<double> make_value_bounds(const QuantizedCircuit& circuit) {
  std::vector<double> b(circuit.nodes.size(), 0.0);
  for (std::size_t i = 0; i < circuit.nodes.size(); ++i) {
    const QNode& n = circuit.nodes[i];
    const double in = n.inputs.empty() ? 0.0 : b[static_cast<std::size_t>(n.inputs[0])];
    if (const auto* a = std::get_if<QuantizeInputAttrs>(&n.attrs)) {
      b[i] = std::max(std::fabs(static_cast<double>(a->q_min)), std::fabs(static_cast<double>(a->q_max)));
    } else if (const auto* a = std::get_if<IntConv2dAttrs>(&n.attrs)) {
      b[i] = max_row_l1(a->weight, a->weight_shape[0]) * std::max(in, std::fabs(static_cast<double>(a->pad_value))) +
             max_abs(a->bias);
    } else if (const auto* a = std::get_if<IntLinearAttrs>(&n.attrs)) {
      b[i] = max_row_l1(a->weight, a->weight_shape[0]) * in + max_abs(a->bias);
    } else if (const auto* a = std::get_if<CombineAttrs>(&n.attrs)) {
      b[i] = max_abs(a->bias);
      for (std::size_t k = 0; k < n.inputs.size(); ++k) b[i] += max_abs(a->multipliers[k]) * b[static_cast<std::size_t>(n.inputs[k])];
    } else if (const auto* a = std::get_if<SumPool2dAttrs>(&n.attrs)) {
      b[i] = static_cast<double>(a->kernel * a->kernel) * std::max(in, std::fabs(static_cast<double>(a->pad_value))) +
             std::fabs(static_cast<double>(a->bias));
    } else if (const auto* a = std::get_if<MaxPool2dAttrs>(&n.attrs)) {
      // Each max2 adds at most one table entry to a window value.
      b[i] = std::max(in, std::fabs(static_cast<double>(a->pad_value))) +
             static_cast<double>(a->kernel * a->kernel) * lookup_bound(a->pair);
    } else if (const auto* a = std::get_if<LookupAttrs>(&n.attrs)) {
      b[i] = lookup_bound(*a);
    } else {
      b[i] = in;
    }
  }
  return b;
}

void check_exact_accumulation(const QuantizedCircuit& circuit) {
  const std::vector<double> b = make_value_bounds(circuit);
  for (std::size_t i = 0; i < circuit.nodes.size(); ++i) {
    const QNode& n = circuit.nodes[i];
    if ((n.op == QOpKind::IntConv2d || n.op == QOpKind::IntLinear) && !(b[i] < kExactLimit)) {
      throw InvalidArgument("quantized circuit node '" + n.name + "': accumulator bound " + std::to_string(b[i]) +
                            " is not below 2^53 (weights or inputs too wide for exact double accumulation)");
    }
  }
}

}  // namespace veil::nn::quant
