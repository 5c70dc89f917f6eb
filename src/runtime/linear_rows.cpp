#include "runtime/linear_rows.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>
#include <variant>

#include "runtime/multi_dot.hpp"
#include "veil/fhe/linear_ops.hpp"

namespace veil::runtime::detail {

namespace {

using fhe::LweConstView;
using fhe::LweView;
using fhe::Torus;

// Outputs computed together by multi_dot_product (they share every input slice).
constexpr std::size_t kOutputGroup = 64;

// y[o, i, j] = bias[o] + sum over the window of w * x; padded positions add w * pad_value.
// One work item: one output position and a group of output channels.
void conv_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::IntConv2dAttrs>(t.node.attrs);
  const RowStore& x = *t.inputs[0];
  const RowLayout& in = x.layout();
  const RowLayout& out = t.stage.layout;
  const std::int64_t channels = a.weight_shape[1], k = a.weight_shape[2], window = channels * k * k;
  const Torus factor = lift(t.input_exponents[0], t.stage.exponent);
  const std::size_t groups = (static_cast<std::size_t>(out.channels) + kOutputGroup - 1) / kOutputGroup;
  const LineRange lines = out.lines_of(t.row);
  const std::size_t positions = static_cast<std::size_t>((lines.last - lines.first + 1) * out.width);
  t.pool.parallel_for(positions * groups, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    std::vector<const Torus*> inputs;
    std::vector<std::int64_t> weights;
    std::vector<Torus*> outputs;
    std::vector<std::int64_t> plain;
    std::vector<std::int64_t> taps;  // window positions read from ciphertexts
    for (std::size_t item = begin; item < end; ++item) {
      const std::int64_t i = lines.first + static_cast<std::int64_t>(item / groups / static_cast<std::size_t>(out.width));
      const auto j = static_cast<std::int64_t>(item / groups % static_cast<std::size_t>(out.width));
      const auto o0 = static_cast<std::int64_t>(item % groups * kOutputGroup);
      const std::int64_t count = std::min<std::int64_t>(kOutputGroup, out.channels - o0);
      plain.assign(a.bias.begin() + o0, a.bias.begin() + o0 + count);
      inputs.clear();
      taps.clear();
      for (std::int64_t c = 0; c < channels; ++c) {
        for (std::int64_t u = 0; u < k; ++u) {
          const std::int64_t r = i * a.stride - a.padding + u;
          for (std::int64_t v = 0; v < k; ++v) {
            const std::int64_t q = j * a.stride - a.padding + v, tap = (c * k + u) * k + v;
            if (r < 0 || r >= in.height || q < 0 || q >= in.width) {
              for (std::int64_t o = 0; o < count; ++o) {
                plain[static_cast<std::size_t>(o)] += a.weight[static_cast<std::size_t>((o0 + o) * window + tap)] * a.pad_value;
              }
            } else {
              inputs.push_back(x.element(c, r, q).data());
              taps.push_back(tap);
            }
          }
        }
      }
      weights.resize(static_cast<std::size_t>(count) * inputs.size());
      outputs.clear();
      for (std::int64_t o = 0; o < count; ++o) {
        for (std::size_t n = 0; n < taps.size(); ++n) {
          weights[static_cast<std::size_t>(o) * taps.size() + n] =
              scaled_weight(a.weight[static_cast<std::size_t>((o0 + o) * window + taps[n])], factor);
        }
        outputs.push_back(t.out[out.index_in_row(o0 + o, i, j)].data());
      }
      multi_dot_product(inputs, weights.data(), outputs, t.out.dimension().value + 1);
      for (std::int64_t o = 0; o < count; ++o) {
        fhe::lwe_add_plaintext_inplace(t.out[out.index_in_row(o0 + o, i, j)],
                                       encode_at(plain[static_cast<std::size_t>(o)], t.stage.exponent));
      }
    }
  });
}

// y[o] = bias[o] + sum_f w[o, f] * x[f]; the input is one whole row in flat order. One work
// item: a group of outputs.
void linear_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::IntLinearAttrs>(t.node.attrs);
  const fhe::LweCiphertextArray& x = t.inputs[0]->row(0);
  const auto features = static_cast<std::size_t>(a.weight_shape[1]);
  const Torus factor = lift(t.input_exponents[0], t.stage.exponent);
  std::vector<const Torus*> inputs;
  for (std::size_t f = 0; f < features; ++f) inputs.push_back(x[f].data());
  const std::size_t groups = (t.out.size() + kOutputGroup - 1) / kOutputGroup;
  t.pool.parallel_for(groups, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
    std::vector<std::int64_t> weights;
    std::vector<Torus*> outputs;
    for (std::size_t g = begin; g < end; ++g) {
      const std::size_t o0 = g * kOutputGroup, count = std::min(kOutputGroup, t.out.size() - o0);
      weights.resize(count * features);
      outputs.clear();
      for (std::size_t o = 0; o < count; ++o) {
        for (std::size_t f = 0; f < features; ++f) {
          weights[o * features + f] = scaled_weight(a.weight[(o0 + o) * features + f], factor);
        }
        outputs.push_back(t.out[o0 + o].data());
      }
      multi_dot_product(inputs, weights.data(), outputs, t.out.dimension().value + 1);
      for (std::size_t o = 0; o < count; ++o) {
        fhe::lwe_add_plaintext_inplace(t.out[o0 + o], encode_at(a.bias[o0 + o], t.stage.exponent));
      }
    }
  });
}

// y[c, ...] = bias[c] + sum_k m_k[c] * x_k[c, ...].
void combine_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::CombineAttrs>(t.node.attrs);
  const RowLayout& out = t.stage.layout;
  auto per_channel = [](const std::vector<std::int64_t>& v, std::int64_t c) {
    return v.size() == 1 ? v[0] : v[static_cast<std::size_t>(c)];
  };
  t.pool.parallel_for(t.out.size(), 16, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t idx = begin; idx < end; ++idx) {
      const RowLayout::Position p = out.position(t.row, idx);
      const LweView y = t.out[idx];
      for (std::size_t k = 0; k < t.inputs.size(); ++k) {
        // An input above the stage's exponent divides the multiplier (exact: the plan checked it).
        fhe::lwe_add_scaled_inplace(y, t.inputs[k]->element(p.channel, p.line, p.col),
                                    compiler::lifted_weight(per_channel(a.multipliers[k], p.channel),
                                                            t.input_exponents[k], t.stage.exponent, t.node.name));
      }
      fhe::lwe_add_plaintext_inplace(y, encode_at(per_channel(a.bias, p.channel), t.stage.exponent));
    }
  });
}

// y[c, i, j] = bias + sum of the window; padded positions read pad_value.
void sum_pool_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::SumPool2dAttrs>(t.node.attrs);
  const RowStore& x = *t.inputs[0];
  const RowLayout& in = x.layout();
  const RowLayout& out = t.stage.layout;
  const std::int64_t factor = scaled_weight(1, lift(t.input_exponents[0], t.stage.exponent));
  t.pool.parallel_for(t.out.size(), 4, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t idx = begin; idx < end; ++idx) {
      const RowLayout::Position p = out.position(t.row, idx);
      const LweView y = t.out[idx];
      std::int64_t plain = a.bias;
      for (std::int64_t u = 0; u < a.kernel; ++u) {
        const std::int64_t r = p.line * a.stride - a.padding + u;
        for (std::int64_t v = 0; v < a.kernel; ++v) {
          const std::int64_t q = p.col * a.stride - a.padding + v;
          if (r < 0 || r >= in.height || q < 0 || q >= in.width) {
            plain += a.pad_value;
          } else {
            fhe::lwe_add_scaled_inplace(y, x.element(p.channel, r, q), factor);
          }
        }
      }
      fhe::lwe_add_plaintext_inplace(y, encode_at(plain, t.stage.exponent));
    }
  });
}

// [C, H, W] -> [C*H*W]: the same ciphertexts in flat order, lifted to the stage's exponent.
void flatten_row(const RowTask& t) {
  const fhe::LweCiphertextArray& x = t.inputs[0]->row(0);
  const std::int64_t factor = scaled_weight(1, lift(t.input_exponents[0], t.stage.exponent));
  t.pool.parallel_for(t.out.size(), 16, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t idx = begin; idx < end; ++idx) fhe::lwe_mul_scalar(x[idx], factor, t.out[idx]);
  });
}

}  // namespace

void compute_linear_row(const RowTask& task) {
  switch (task.stage.kind) {
    case StageKind::Conv:
      return conv_row(task);
    case StageKind::Linear:
      return linear_row(task);
    case StageKind::Combine:
      return combine_row(task);
    case StageKind::SumPool:
      return sum_pool_row(task);
    case StageKind::Flatten:
      return flatten_row(task);
    default:
      throw std::logic_error("compute_linear_row: not a linear stage");
  }
}

void expand_input_row(const RowTask& task, const fhe::SeededLweBatch& input) {
  const RowLayout& layout = task.stage.layout;
  const LineRange lines = layout.lines_of(task.row);
  const auto line_count = static_cast<std::size_t>(lines.last - lines.first + 1);
  const auto width = static_cast<std::size_t>(layout.width);
  const std::size_t values = input.dimension.value + 1;
  // Each (channel, line) is `width` consecutive ciphertexts in the batch and in the row.
  task.pool.parallel_for(static_cast<std::size_t>(layout.channels) * line_count, 1,
                         [&](std::size_t begin, std::size_t end, std::size_t) {
                           fhe::LweCiphertextArray part(width, input.dimension);
                           for (std::size_t idx = begin; idx < end; ++idx) {
                             const auto c = static_cast<std::int64_t>(idx / line_count);
                             const std::int64_t i = lines.first + static_cast<std::int64_t>(idx % line_count);
                             fhe::expand_seeded_lwe(
                                 input, static_cast<std::size_t>((c * layout.height + i) * layout.width), part);
                             std::copy(part.data().begin(), part.data().end(),
                                       task.out.data().begin() +
                                           static_cast<std::ptrdiff_t>(layout.index_in_row(c, i, 0) * values));
                           }
                         });
}

}  // namespace veil::runtime::detail
