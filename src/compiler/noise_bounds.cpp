// Worst-case noise, forwards: linear nodes add (weight * 2^lift)^2 times their inputs' noise
// (worst output channel; a Combine input above its node has a negative lift: the smaller
// integer multiplier the node applies), a PBS output restarts at its partition's V_BR in reference
// units. Bounds are componentwise maxima, so they hold for every parameter set of a given assignment.
#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "compiler/compile_steps.hpp"

namespace veil::compiler::detail {
namespace {

using namespace nn::quant;

NoiseBound operator+(NoiseBound a, NoiseBound b) { return {a.bootstrap + b.bootstrap, a.fresh + b.fresh}; }
NoiseBound operator*(double s, NoiseBound a) { return {s * a.bootstrap, s * a.fresh}; }
NoiseBound worst(NoiseBound a, NoiseBound b) {
  return {std::max(a.bootstrap, b.bootstrap), std::max(a.fresh, b.fresh)};
}

// (2^lift)^2.
double lift_squared(int lift) { return std::ldexp(1.0, 2 * lift); }

// Largest sum of squared weights over the rows of a row-major [rows, ...] weight tensor.
double max_row_squared_norm(const std::vector<std::int64_t>& weight, std::int64_t rows) {
  const std::size_t cols = weight.size() / static_cast<std::size_t>(rows);
  double m = 0;
  for (std::size_t o = 0; o < static_cast<std::size_t>(rows); ++o) {
    double s = 0;
    for (std::size_t k = 0; k < cols; ++k) {
      const auto w = static_cast<double>(weight[o * cols + k]);
      s += w * w;
    }
    m = std::max(m, s);
  }
  return m;
}

struct MaxPoolNoise {
  NoiseBound output;
  NoiseBound worst_difference;  // before its lift to the pair's read exponent
};

// Running max m = max2(w_t, m): each difference w_t - m has noise(w_t) + noise(m), and each
// step adds one PBS output to m. `start` is the first element's noise.
MaxPoolNoise fold(NoiseBound start, NoiseBound element, std::int64_t steps, NoiseBound worst_so_far,
                  NoiseBound pbs_output) {
  NoiseBound m = start;
  for (std::int64_t t = 0; t < steps; ++t) {
    worst_so_far = worst(worst_so_far, element + m);
    m = m + pbs_output;
  }
  return {m, worst_so_far};
}

MaxPoolNoise max_pool_noise(const MaxPool2dAttrs& a, NoiseBound n, NoiseBound pbs_output) {
  const std::int64_t k = a.kernel;
  if (a.schedule == MaxPoolSchedule::Sequential) return fold(n, n, k * k - 1, {}, pbs_output);
  const MaxPoolNoise rows = fold(n, n, k - 1, {}, pbs_output);
  return fold(rows.output, rows.output, k - 1, rows.worst_difference, pbs_output);
}

}  // namespace

std::vector<double> weight_row_norms(const QuantizedCircuit& circuit) {
  std::vector<double> norms(circuit.nodes.size(), 0.0);
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const QNode& n = circuit.nodes[v];
    if (n.op == QOpKind::IntConv2d) {
      const auto& a = std::get<IntConv2dAttrs>(n.attrs);
      norms[v] = max_row_squared_norm(a.weight, a.weight_shape[0]);
    } else if (n.op == QOpKind::IntLinear) {
      const auto& a = std::get<IntLinearAttrs>(n.attrs);
      norms[v] = max_row_squared_norm(a.weight, a.weight_shape[0]);
    }
  }
  return norms;
}

NoiseAnalysis track_noise(const QuantizedCircuit& circuit, const std::vector<int>& e) {
  return track_noise(circuit, e, weight_row_norms(circuit), std::vector<double>(circuit.nodes.size(), 1.0));
}

NoiseAnalysis track_noise(const QuantizedCircuit& circuit, const std::vector<int>& e,
                          const std::vector<double>& row_norms, const std::vector<double>& pbs_unit) {
  NoiseAnalysis result;
  result.values.resize(circuit.nodes.size());
  result.reads.resize(circuit.nodes.size());
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const QNode& n = circuit.nodes[v];
    auto lifted = [&](std::size_t k, int target) {
      const auto in = static_cast<std::size_t>(n.inputs[k]);
      return lift_squared(target - e[in]) * result.values[in];
    };
    NoiseBound& y = result.values[v];
    switch (n.op) {
      case QOpKind::QuantizeInput: y = {0, 1}; break;
      case QOpKind::IntConv2d:
      case QOpKind::IntLinear: y = row_norms[v] * lifted(0, e[v]); break;
      case QOpKind::Combine: {
        // A value read twice is one noise: its multipliers add before squaring.
        const auto& a = std::get<CombineAttrs>(n.attrs);
        const std::int64_t channels = n.shape.empty() ? 1 : n.shape[0];
        for (std::int64_t c = 0; c < channels; ++c) {
          std::map<QValueId, std::pair<double, std::size_t>> weight_by_value;  // summed multiplier, an input slot
          for (std::size_t k = 0; k < n.inputs.size(); ++k) {
            const auto& m = a.multipliers[k];
            auto& [w, slot] = weight_by_value[n.inputs[k]];
            w += static_cast<double>(m.size() == 1 ? m[0] : m[static_cast<std::size_t>(c)]);
            slot = k;
          }
          NoiseBound sum;
          for (const auto& [value, weight] : weight_by_value) {
            sum = sum + (weight.first * weight.first) * lifted(weight.second, e[v]);
          }
          y = worst(y, sum);
        }
        break;
      }
      case QOpKind::SumPool2d: {
        const auto& a = std::get<SumPool2dAttrs>(n.attrs);
        y = static_cast<double>(a.kernel * a.kernel) * lifted(0, e[v]);
        break;
      }
      case QOpKind::Flatten: y = lifted(0, e[v]); break;
      case QOpKind::Lookup:
        y = {pbs_unit[v], 0};
        result.reads[v] = lifted(0, read_exponent(std::get<LookupAttrs>(n.attrs)));
        break;
      case QOpKind::MaxPool2d: {
        const auto& a = std::get<MaxPool2dAttrs>(n.attrs);
        const MaxPoolNoise pool = max_pool_noise(a, lifted(0, e[v]), {pbs_unit[v], 0});
        y = pool.output;
        result.reads[v] = lift_squared(read_exponent(a.pair) - e[v]) * pool.worst_difference;
        break;
      }
    }
  }
  return result;
}

}  // namespace veil::compiler::detail
