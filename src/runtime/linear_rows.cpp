#include "runtime/linear_rows.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>
#include <variant>

#include "runtime/batch_sources.hpp"
#include "veil/fhe/linear_batch.hpp"
#include "veil/fhe/nested_key_ciphertexts.hpp"

namespace veil::runtime::detail {

namespace {

using fhe::ResidentLinearBatch;
using fhe::Torus;

// y[o, i, j] = bias[o] + sum over the window of w * x; padded positions add w * pad_value.
// One group per output position: the window's unpadded taps times every output channel.
void conv_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::IntConv2dAttrs>(t.node.attrs);
  const RowLayout& in = t.inputs[0]->layout();
  const RowLayout& out = t.stage.layout;
  const std::int64_t channels = a.weight_shape[1], k = a.weight_shape[2], window = channels * k * k;
  const Torus factor = lift(t.input_exponents[0], t.stage.exponent);
  ResidentLinearBatch batch;
  batch.columns = static_cast<std::size_t>(window);
  batch.weights.reserve(a.weight.size());
  for (const std::int64_t w : a.weight) batch.weights.push_back(scaled_weight(w, factor));
  BatchSources sources(t, batch);
  std::vector<std::int64_t> plain;
  const LineRange lines = out.lines_of(t.row);
  for (std::int64_t i = lines.first; i <= lines.last; ++i) {
    for (std::int64_t j = 0; j < out.width; ++j) {
      plain.assign(a.bias.begin(), a.bias.begin() + out.channels);
      for (std::int64_t c = 0; c < channels; ++c) {
        for (std::int64_t u = 0; u < k; ++u) {
          const std::int64_t r = i * a.stride - a.padding + u;
          for (std::int64_t v = 0; v < k; ++v) {
            const std::int64_t q = j * a.stride - a.padding + v, tap = (c * k + u) * k + v;
            if (r < 0 || r >= in.height || q < 0 || q >= in.width) {
              for (std::int64_t o = 0; o < out.channels; ++o) {
                plain[static_cast<std::size_t>(o)] +=
                    a.weight[static_cast<std::size_t>(o * window + tap)] * a.pad_value;
              }
            } else {
              batch.add_term(sources.element(0, c, r, q), static_cast<std::uint32_t>(tap));
            }
          }
        }
      }
      for (std::int64_t o = 0; o < out.channels; ++o) {
        batch.add_output(static_cast<std::uint32_t>(out.index_in_row(o, i, j)), static_cast<std::uint32_t>(o),
                         encode_at(plain[static_cast<std::size_t>(o)], t.stage.exponent));
      }
      batch.end_group();
    }
  }
  t.backend.linear_resident(batch, *t.out);
}

// y[o] = bias[o] + sum_f w[o, f] * x[f]; the input is one whole row in flat order: one group.
void linear_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::IntLinearAttrs>(t.node.attrs);
  const auto features = static_cast<std::uint32_t>(a.weight_shape[1]);
  const Torus factor = lift(t.input_exponents[0], t.stage.exponent);
  ResidentLinearBatch batch;
  batch.columns = features;
  batch.weights.reserve(a.weight.size());
  for (const std::int64_t w : a.weight) batch.weights.push_back(scaled_weight(w, factor));
  const std::uint32_t base = BatchSources(t, batch).base(t.inputs[0]->row(0));
  for (std::uint32_t f = 0; f < features; ++f) batch.add_term(base + f, f);
  for (std::uint32_t o = 0; o < t.out->size(); ++o) batch.add_output(o, o, encode_at(a.bias[o], t.stage.exponent));
  batch.end_group();
  t.backend.linear_resident(batch, *t.out);
}

// y[c, ...] = bias[c] + sum_k m_k[c] * x_k[c, ...]: one group per element, W[c][k] = m_k[c].
void combine_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::CombineAttrs>(t.node.attrs);
  const RowLayout& out = t.stage.layout;
  auto per_channel = [](const std::vector<std::int64_t>& v, std::int64_t c) {
    return v.size() == 1 ? v[0] : v[static_cast<std::size_t>(c)];
  };
  ResidentLinearBatch batch;
  batch.columns = t.inputs.size();
  for (std::int64_t c = 0; c < out.channels; ++c) {
    for (std::size_t k = 0; k < t.inputs.size(); ++k) {
      // An input above the stage's exponent divides the multiplier (exact: the plan checked it).
      batch.weights.push_back(compiler::lifted_weight(per_channel(a.multipliers[k], c), t.input_exponents[k],
                                                      t.stage.exponent, t.node.name));
    }
  }
  BatchSources sources(t, batch);
  for (std::size_t idx = 0; idx < t.out->size(); ++idx) {
    const RowLayout::Position p = out.position(t.row, idx);
    for (std::size_t k = 0; k < t.inputs.size(); ++k) {
      batch.add_term(sources.element(k, p.channel, p.line, p.col), static_cast<std::uint32_t>(k));
    }
    batch.add_output(static_cast<std::uint32_t>(idx), static_cast<std::uint32_t>(p.channel),
                     encode_at(per_channel(a.bias, p.channel), t.stage.exponent));
    batch.end_group();
  }
  t.backend.linear_resident(batch, *t.out);
}

// y[c, i, j] = bias + sum of the window; padded positions read pad_value. One group per element.
void sum_pool_row(const RowTask& t) {
  const auto& a = std::get<nn::quant::SumPool2dAttrs>(t.node.attrs);
  const RowLayout& in = t.inputs[0]->layout();
  const RowLayout& out = t.stage.layout;
  ResidentLinearBatch batch;
  batch.weights = {scaled_weight(1, lift(t.input_exponents[0], t.stage.exponent))};
  BatchSources sources(t, batch);
  for (std::size_t idx = 0; idx < t.out->size(); ++idx) {
    const RowLayout::Position p = out.position(t.row, idx);
    std::int64_t plain = a.bias;
    for (std::int64_t u = 0; u < a.kernel; ++u) {
      const std::int64_t r = p.line * a.stride - a.padding + u;
      for (std::int64_t v = 0; v < a.kernel; ++v) {
        const std::int64_t q = p.col * a.stride - a.padding + v;
        if (r < 0 || r >= in.height || q < 0 || q >= in.width) {
          plain += a.pad_value;
        } else {
          batch.add_term(sources.element(0, p.channel, r, q), 0);
        }
      }
    }
    batch.add_output(static_cast<std::uint32_t>(idx), 0, encode_at(plain, t.stage.exponent));
    batch.end_group();
  }
  t.backend.linear_resident(batch, *t.out);
}

// [C, H, W] -> [C*H*W]: the same ciphertexts in flat order, lifted to the stage's exponent.
void flatten_row(const RowTask& t) {
  ResidentLinearBatch batch;
  batch.weights = {scaled_weight(1, lift(t.input_exponents[0], t.stage.exponent))};
  const std::uint32_t base = BatchSources(t, batch).base(t.inputs[0]->row(0));
  for (std::uint32_t idx = 0; idx < t.out->size(); ++idx) {
    batch.add_term(base + idx, 0);
    batch.add_output(idx, 0, 0);
    batch.end_group();
  }
  t.backend.linear_resident(batch, *t.out);
}

}  // namespace

void compute_linear_row(const RowTask& task) {
  switch (task.stage.kind) {
    case StageKind::Conv: return conv_row(task);
    case StageKind::Linear: return linear_row(task);
    case StageKind::Combine: return combine_row(task);
    case StageKind::SumPool: return sum_pool_row(task);
    case StageKind::Flatten: return flatten_row(task);
    default: throw std::logic_error("compute_linear_row: not a linear stage");
  }
}

void expand_input_row(const RowTask& task, const fhe::SeededLweBatch& input) {
  const RowLayout& layout = task.stage.layout;
  const LineRange lines = layout.lines_of(task.row);
  const auto line_count = static_cast<std::size_t>(lines.last - lines.first + 1);
  const auto width = static_cast<std::size_t>(layout.width);
  fhe::LweCiphertextArray row(task.out->size(), task.out->dimension());
  const std::size_t values = row.dimension().value + 1;
  // Each (channel, line) is `width` consecutive ciphertexts in the batch and in the row. The input
  // is under partition 0's key, a prefix of the key values are stored under (nested keys).
  task.pool.parallel_for(
      static_cast<std::size_t>(layout.channels) * line_count, 1, [&](std::size_t begin, std::size_t end, std::size_t) {
        fhe::LweCiphertextArray part(width, input.dimension);
        fhe::LweCiphertextArray stored(width, row.dimension());
        for (std::size_t idx = begin; idx < end; ++idx) {
          const auto c = static_cast<std::int64_t>(idx / line_count);
          const std::int64_t i = lines.first + static_cast<std::int64_t>(idx % line_count);
          fhe::expand_seeded_lwe(input, static_cast<std::size_t>((c * layout.height + i) * layout.width), part);
          fhe::extend_to_wider_key(part, stored);
          std::copy(stored.data().begin(), stored.data().end(),
                    row.data().begin() + static_cast<std::ptrdiff_t>(layout.index_in_row(c, i, 0) * values));
        }
      });
  task.backend.upload(std::move(row), *task.out);
}

}  // namespace veil::runtime::detail
