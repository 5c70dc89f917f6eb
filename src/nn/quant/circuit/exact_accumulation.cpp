#include "nn/quant/circuit/exact_accumulation.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/quant/value_ranges.hpp"

namespace veil::nn::quant {
namespace {

constexpr double kExactLimit = 9007199254740992.0;  // 2^53

double max_abs(const std::vector<std::int64_t>& v) {
  double m = 0.0;
  for (std::int64_t x : v) m = std::max(m, std::fabs(static_cast<double>(x)));
  return m;
}

double max_abs(const IntegerRange& r) {
  return std::max(std::fabs(static_cast<double>(r.lo)), std::fabs(static_cast<double>(r.hi)));
}

// Largest sum_k |w[o, k]| over output rows o.
double max_row_l1(const std::vector<std::int64_t>& w, std::int64_t rows) {
  const std::size_t cols = w.size() / static_cast<std::size_t>(rows);
  double m = 0.0;
  for (std::int64_t o = 0; o < rows; ++o) {
    double s = 0.0;
    for (std::size_t k = 0; k < cols; ++k)
      s += std::fabs(static_cast<double>(w[static_cast<std::size_t>(o) * cols + k]));
    m = std::max(m, s);
  }
  return m;
}

}  // namespace

void check_exact_accumulation(const QuantizedCircuit& circuit) {
  const std::vector<IntegerRange> ranges = value_ranges(circuit);
  for (const QNode& n : circuit.nodes) {
    double bound = 0.0;
    if (const auto* a = std::get_if<IntConv2dAttrs>(&n.attrs)) {
      const double in = std::max(max_abs(ranges[static_cast<std::size_t>(n.inputs[0])]),
                                 std::fabs(static_cast<double>(a->pad_value)));
      bound = max_row_l1(a->weight, a->weight_shape[0]) * in + max_abs(a->bias);
    } else if (const auto* a = std::get_if<IntLinearAttrs>(&n.attrs)) {
      const double in = max_abs(ranges[static_cast<std::size_t>(n.inputs[0])]);
      bound = max_row_l1(a->weight, a->weight_shape[0]) * in + max_abs(a->bias);
    } else {
      continue;
    }
    if (!(bound < kExactLimit)) {
      throw InvalidArgument("quantized circuit node '" + n.name + "': accumulator bound " + std::to_string(bound) +
                            " is not below 2^53 (weights or inputs too wide for exact double accumulation)");
    }
  }
}

}  // namespace veil::nn::quant
