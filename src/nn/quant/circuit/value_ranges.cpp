#include "veil/nn/quant/value_ranges.hpp"

#include <algorithm>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::nn::quant {
namespace {

class RangeArithmetic {
 public:
  explicit RangeArithmetic(const QNode& node) : node_(node) {}

  Int128 add(Int128 a, Int128 b) const {
    Int128 r;
    if (__builtin_add_overflow(a, b, &r)) overflow();
    return r;
  }
  Int128 mul(Int128 a, Int128 b) const {
    Int128 r;
    if (__builtin_mul_overflow(a, b, &r)) overflow();
    return r;
  }
  IntegerRange add(IntegerRange a, IntegerRange b) const { return {add(a.lo, b.lo), add(a.hi, b.hi)}; }
  IntegerRange scale(IntegerRange x, Int128 w) const {
    const Int128 a = mul(x.lo, w), b = mul(x.hi, w);
    return {std::min(a, b), std::max(a, b)};
  }

 private:
  [[noreturn]] void overflow() const {
    throw InvalidArgument("node '" + node_.name + "' (" + qop_name(node_.op) +
                          "): its integer range does not fit 128 bits");
  }
  const QNode& node_;
};

IntegerRange hull(IntegerRange a, IntegerRange b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }
IntegerRange point(std::int64_t v) { return {v, v}; }

// y[o] = bias[o] + sum_f w[o, f] x[f] over rows o of `weight` with x in `x`: the hull over rows.
IntegerRange weighted_rows(const RangeArithmetic& ar, const std::vector<std::int64_t>& weight,
                           const std::vector<std::int64_t>& bias, IntegerRange x) {
  const std::size_t rows = bias.size(), cols = weight.size() / rows;
  IntegerRange all{0, -1};
  for (std::size_t o = 0; o < rows; ++o) {
    IntegerRange y = point(bias[o]);
    for (std::size_t f = 0; f < cols; ++f) y = ar.add(y, ar.scale(x, weight[o * cols + f]));
    all = o == 0 ? y : hull(all, y);
  }
  return all;
}

// Every table entry lies between the ends of the table (the function is monotone in the
// index); the negacyclic read can negate any entry.
IntegerRange lookup_read_range(const LookupAttrs& lookup) {
  const std::int64_t last = (std::int64_t{1} << lookup.bits) - 1;
  Int128 m = 0;
  for (std::int64_t c = 0; c < lookup_table_count(lookup); ++c) {
    for (std::int64_t i : {std::int64_t{0}, last}) {
      const Int128 e = lookup_entry(lookup, c, i);
      m = std::max(m, e < 0 ? -e : e);
    }
  }
  return {-m, m};
}

IntegerRange node_range(const std::vector<IntegerRange>& ranges, const QNode& n) {
  const RangeArithmetic ar(n);
  auto in = [&](std::size_t k) { return ranges[static_cast<std::size_t>(n.inputs[k])]; };
  switch (n.op) {
    case QOpKind::QuantizeInput: {
      const auto& a = std::get<QuantizeInputAttrs>(n.attrs);
      return {a.q_min, a.q_max};
    }
    case QOpKind::IntConv2d: {
      const auto& a = std::get<IntConv2dAttrs>(n.attrs);
      return weighted_rows(ar, a.weight, a.bias, hull(in(0), point(a.pad_value)));
    }
    case QOpKind::IntLinear: {
      const auto& a = std::get<IntLinearAttrs>(n.attrs);
      return weighted_rows(ar, a.weight, a.bias, in(0));
    }
    case QOpKind::Combine: {
      const auto& a = std::get<CombineAttrs>(n.attrs);
      const std::int64_t channels = n.shape.empty() ? 1 : n.shape[0];
      auto at = [](const std::vector<std::int64_t>& v, std::int64_t c) {
        return v.size() == 1 ? v[0] : v[static_cast<std::size_t>(c)];
      };
      IntegerRange all{0, -1};
      for (std::int64_t c = 0; c < channels; ++c) {
        IntegerRange y = point(at(a.bias, c));
        for (std::size_t k = 0; k < n.inputs.size(); ++k) y = ar.add(y, ar.scale(in(k), at(a.multipliers[k], c)));
        all = c == 0 ? y : hull(all, y);
      }
      return all;
    }
    case QOpKind::SumPool2d: {
      const auto& a = std::get<SumPool2dAttrs>(n.attrs);
      return ar.add(ar.scale(hull(in(0), point(a.pad_value)), a.kernel * a.kernel), point(a.bias));
    }
    case QOpKind::MaxPool2d: {
      // Each max2(a, b) = b + L(a - b) moves the running value by one read of L; the
      // sequential schedule may start on a padded position.
      const auto& a = std::get<MaxPool2dAttrs>(n.attrs);
      const bool sequential = a.schedule == MaxPoolSchedule::Sequential;
      const std::int64_t steps = sequential ? a.kernel * a.kernel - 1 : 2 * (a.kernel - 1);
      const IntegerRange start = sequential ? hull(in(0), point(a.pad_value)) : in(0);
      return ar.add(start, ar.scale(lookup_read_range(a.pair), steps));
    }
    case QOpKind::Lookup: return lookup_read_range(std::get<LookupAttrs>(n.attrs));
    case QOpKind::Flatten: return in(0);
  }
  return {};
}

}  // namespace

std::vector<IntegerRange> value_ranges(const QuantizedCircuit& circuit) {
  std::vector<IntegerRange> ranges;
  ranges.reserve(circuit.nodes.size());
  for (const QNode& n : circuit.nodes) ranges.push_back(node_range(ranges, n));
  return ranges;
}

}  // namespace veil::nn::quant
