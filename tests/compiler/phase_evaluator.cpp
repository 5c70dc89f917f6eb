#include "compiler/phase_evaluator.hpp"

#include <algorithm>
#include <cmath>

#include "veil/nn/quant/lookup.hpp"

namespace veil::compiler::testing {
namespace {

using namespace nn::quant;

// q * 2^e in Z/2^64 (negative q wraps).
std::uint64_t encode(std::int64_t q, int e) { return static_cast<std::uint64_t>(q) << e; }
std::uint64_t times(std::int64_t w, std::uint64_t phase) { return static_cast<std::uint64_t>(w) * phase; }

std::int64_t per_channel(const std::vector<std::int64_t>& v, std::int64_t c) {
  return v.size() == 1 ? v[0] : v[static_cast<std::size_t>(c)];
}

}  // namespace

std::uint64_t PhaseEvaluator::read(const LookupAttrs& lookup, std::int64_t channel, std::uint64_t phase,
                                   int output_exponent) {
  const int step = 63 - lookup.bits;  // one index step of the p-bit read
  const std::uint64_t half = std::uint64_t{1} << (step - 1);
  ties_ += (phase & ((std::uint64_t{1} << step) - 1)) == half;
  ++pbs_;
  const std::uint64_t index = (phase + half) >> step;  // in [0, 2^(p+1)): the wrap is the mod
  const std::uint64_t size = std::uint64_t{1} << lookup.bits;
  const std::int64_t entry = index < size ? lookup_entry(lookup, channel, static_cast<std::int64_t>(index))
                                          : -lookup_entry(lookup, channel, static_cast<std::int64_t>(index - size));
  return encode(entry, output_exponent);
}

void PhaseEvaluator::eval(std::size_t v, std::vector<Phases>& values, const float* image) {
  const QNode& n = program_.circuit.nodes[v];
  const int e = program_.encodings[v].exponent;
  auto exponent_of = [&](std::size_t k) { return program_.encodings[static_cast<std::size_t>(n.inputs[k])].exponent; };
  auto input = [&](std::size_t k) -> const Phases& { return values[static_cast<std::size_t>(n.inputs[k])]; };
  Phases& y = values[v];
  y.assign(static_cast<std::size_t>(element_count(n.shape)), 0);
  switch (n.op) {
    case QOpKind::QuantizeInput: {
      const auto& a = std::get<QuantizeInputAttrs>(n.attrs);
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double q = std::floor(static_cast<double>(image[i]) / a.scale + 0.5) + static_cast<double>(a.zero_point);
        y[i] = encode(
            static_cast<std::int64_t>(std::clamp(q, static_cast<double>(a.q_min), static_cast<double>(a.q_max))), e);
      }
      break;
    }
    case QOpKind::IntConv2d: {
      const auto& a = std::get<IntConv2dAttrs>(n.attrs);
      const Shape& in = program_.circuit.node(n.inputs[0]).shape;
      const std::int64_t channels = a.weight_shape[1], k = a.weight_shape[2], h = in[1], w = in[2];
      const std::int64_t ho = n.shape[1], wo = n.shape[2];
      const int lift = e - exponent_of(0);
      for (std::int64_t o = 0; o < n.shape[0]; ++o) {
        for (std::int64_t i = 0; i < ho; ++i) {
          for (std::int64_t j = 0; j < wo; ++j) {
            std::uint64_t acc = encode(a.bias[static_cast<std::size_t>(o)], e);
            for (std::int64_t c = 0; c < channels; ++c) {
              for (std::int64_t u = 0; u < k; ++u) {
                for (std::int64_t t = 0; t < k; ++t) {
                  const std::int64_t r = i * a.stride - a.padding + u, q = j * a.stride - a.padding + t;
                  const bool outside = r < 0 || r >= h || q < 0 || q >= w;
                  const std::uint64_t x = outside ? encode(a.pad_value, e)  // a trivial ciphertext
                                                  : input(0)[static_cast<std::size_t>((c * h + r) * w + q)] << lift;
                  acc += times(a.weight[static_cast<std::size_t>(((o * channels + c) * k + u) * k + t)], x);
                }
              }
            }
            y[static_cast<std::size_t>((o * ho + i) * wo + j)] = acc;
          }
        }
      }
      break;
    }
    case QOpKind::IntLinear: {
      const auto& a = std::get<IntLinearAttrs>(n.attrs);
      const std::int64_t features = a.weight_shape[1];
      const int lift = e - exponent_of(0);
      for (std::int64_t o = 0; o < a.weight_shape[0]; ++o) {
        std::uint64_t acc = encode(a.bias[static_cast<std::size_t>(o)], e);
        for (std::int64_t f = 0; f < features; ++f) {
          acc += times(a.weight[static_cast<std::size_t>(o * features + f)],
                       input(0)[static_cast<std::size_t>(f)] << lift);
        }
        y[static_cast<std::size_t>(o)] = acc;
      }
      break;
    }
    case QOpKind::Combine: {
      const auto& a = std::get<CombineAttrs>(n.attrs);
      const std::size_t per = y.size() / static_cast<std::size_t>(n.shape[0]);
      for (std::size_t i = 0; i < y.size(); ++i) {
        const auto c = static_cast<std::int64_t>(i / per);
        std::uint64_t acc = encode(per_channel(a.bias, c), e);
        for (std::size_t k = 0; k < n.inputs.size(); ++k) {
          acc += times(lifted_weight(per_channel(a.multipliers[k], c), exponent_of(k), e, n.name), input(k)[i]);
        }
        y[i] = acc;
      }
      break;
    }
    case QOpKind::SumPool2d: {
      const auto& a = std::get<SumPool2dAttrs>(n.attrs);
      const Shape& in = program_.circuit.node(n.inputs[0]).shape;
      const std::int64_t h = in[1], w = in[2], ho = n.shape[1], wo = n.shape[2];
      const int lift = e - exponent_of(0);
      for (std::int64_t c = 0; c < n.shape[0]; ++c) {
        for (std::int64_t i = 0; i < ho; ++i) {
          for (std::int64_t j = 0; j < wo; ++j) {
            std::uint64_t acc = encode(a.bias, e);
            for (std::int64_t u = 0; u < a.kernel; ++u) {
              for (std::int64_t t = 0; t < a.kernel; ++t) {
                const std::int64_t r = i * a.stride - a.padding + u, q = j * a.stride - a.padding + t;
                acc += (r < 0 || r >= h || q < 0 || q >= w)
                           ? encode(a.pad_value, e)
                           : input(0)[static_cast<std::size_t>((c * h + r) * w + q)] << lift;
              }
            }
            y[static_cast<std::size_t>((c * ho + i) * wo + j)] = acc;
          }
        }
      }
      break;
    }
    case QOpKind::Flatten:
      for (std::size_t i = 0; i < y.size(); ++i) y[i] = input(0)[i] << (e - exponent_of(0));
      break;
    case QOpKind::Lookup: {
      const auto& a = std::get<LookupAttrs>(n.attrs);
      const int lift = 63 - a.bits - a.shift - exponent_of(0);
      const std::size_t per = y.size() / static_cast<std::size_t>(n.shape[0]);
      for (std::size_t i = 0; i < y.size(); ++i) {
        const std::uint64_t phase = (input(0)[i] << lift) + encode(a.offset, 63 - a.bits);
        y[i] = read(a, static_cast<std::int64_t>(i / per), phase, e);
      }
      break;
    }
    case QOpKind::MaxPool2d: {
      const auto& a = std::get<MaxPool2dAttrs>(n.attrs);
      const Shape& in = program_.circuit.node(n.inputs[0]).shape;
      const std::int64_t h = in[1], w = in[2], ho = n.shape[1], wo = n.shape[2], k = a.kernel;
      const int lift = e - exponent_of(0), difference_lift = 63 - a.pair.bits - a.pair.shift - e;
      // max2(a, b) = b + L(a - b), the difference lifted to the pair's read exponent.
      auto max2 = [&](std::uint64_t x, std::uint64_t m) {
        return m + read(a.pair, 0, ((x - m) << difference_lift) + encode(a.pair.offset, 63 - a.pair.bits), e);
      };
      auto at = [&](std::int64_t c, std::int64_t r, std::int64_t q) {
        return input(0)[static_cast<std::size_t>((c * h + r) * w + q)] << lift;
      };
      for (std::int64_t c = 0; c < n.shape[0]; ++c) {
        if (a.schedule == MaxPoolSchedule::Sequential) {
          for (std::int64_t i = 0; i < ho; ++i) {
            for (std::int64_t j = 0; j < wo; ++j) {
              std::uint64_t m = 0;
              for (std::int64_t t = 0; t < k * k; ++t) {
                const std::int64_t r = i * a.stride - a.padding + t / k, q = j * a.stride - a.padding + t % k;
                const std::uint64_t x = (r < 0 || r >= h || q < 0 || q >= w) ? encode(a.pad_value, e) : at(c, r, q);
                m = t == 0 ? x : max2(x, m);
              }
              y[static_cast<std::size_t>((c * ho + i) * wo + j)] = m;
            }
          }
          continue;
        }
        // Separable: fold the valid columns of every input row, then the valid rows.
        std::vector<std::uint64_t> rows(static_cast<std::size_t>(h * wo));
        for (std::int64_t r = 0; r < h; ++r) {
          for (std::int64_t j = 0; j < wo; ++j) {
            bool first = true;
            std::uint64_t m = 0;
            for (std::int64_t t = 0; t < k; ++t) {
              const std::int64_t q = j * a.stride - a.padding + t;
              if (q < 0 || q >= w) continue;
              m = first ? at(c, r, q) : max2(at(c, r, q), m);
              first = false;
            }
            rows[static_cast<std::size_t>(r * wo + j)] = m;
          }
        }
        for (std::int64_t i = 0; i < ho; ++i) {
          for (std::int64_t j = 0; j < wo; ++j) {
            bool first = true;
            std::uint64_t m = 0;
            for (std::int64_t t = 0; t < k; ++t) {
              const std::int64_t r = i * a.stride - a.padding + t;
              if (r < 0 || r >= h) continue;
              const std::uint64_t x = rows[static_cast<std::size_t>(r * wo + j)];
              m = first ? x : max2(x, m);
              first = false;
            }
            y[static_cast<std::size_t>((c * ho + i) * wo + j)] = m;
          }
        }
      }
      break;
    }
  }
}

std::vector<std::int64_t> PhaseEvaluator::run(const float* image) {
  std::vector<Phases> values(program_.circuit.nodes.size());
  for (std::size_t v = 0; v < values.size(); ++v) eval(v, values, image);
  const int e = program_.output.exponent;
  const std::uint64_t half = e > 0 ? std::uint64_t{1} << (e - 1) : 0;
  std::vector<std::int64_t> out;
  for (std::uint64_t phase : values[static_cast<std::size_t>(program_.circuit.output)]) {
    out.push_back(static_cast<std::int64_t>(phase + half) >> e);  // signed round(phase / 2^e)
  }
  return out;
}

}  // namespace veil::compiler::testing
