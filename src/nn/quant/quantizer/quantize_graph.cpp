#include "veil/nn/quant/quantize_graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "nn/quant/executor/circuit_runner.hpp"
#include "nn/quant/quantizer/weight_quantization.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::nn::quant {
namespace {

// How a float value of the graph is represented in the circuit.
struct Repr {
  QValueId id = -1;
  bool accumulator = false;   // true: a linear result not yet re-quantized by a lookup
  bool pending_relu = false;  // a ReLU deferred past a max-pool (max commutes with ReLU)
  std::string relu_name;      // the deferred ReLU's float node
};

struct Range {
  std::int64_t lo = 0, hi = 0;
};

class Quantizer {
 public:
  Quantizer(const Graph& graph, const Tensor& calibration, const QuantizationConfig& config, ThreadPool& pool)
      : g_(graph), calib_(calibration), cfg_(config), pool_(pool), consumers_(count_consumers(graph)) {
    circuit_.nodes.reserve(graph.nodes.size() * 4 + 16);  // CircuitRunner keeps pointers into it
    runner_ = std::make_unique<CircuitRunner>(circuit_, std::size_t{1} << 22);
    values_.resize(static_cast<std::size_t>(calibration.shape[0]));
    repr_.resize(graph.nodes.size());
  }

  QuantizedCircuit run() {
    for (std::size_t v = 0; v < g_.nodes.size(); ++v) quantize_node(static_cast<ValueId>(v));
    Repr out = repr_[static_cast<std::size_t>(g_.output)];
    if (out.pending_relu) out = materialize(out, g_.node(g_.output).name);
    circuit_.output = out.id;
    const Range r = observed(out.id);
    const double largest = static_cast<double>(std::max({r.hi, -r.lo, std::int64_t{1}}));
    circuit_.output_decode_bound = static_cast<std::int64_t>(std::min(std::ceil(largest * cfg_.output_margin), 0x1p62));
    for (const auto& [name, bits] : cfg_.rounding_bits_by_node) {
      if (rounded_sites_.count(name) == 0)
        throw InvalidArgument("quantizer: rounding_bits_by_node names '" + name +
                              "', which is no rounded lookup or max-pool of the circuit");
    }
    validate_circuit(circuit_);
    return std::move(circuit_);
  }

 private:
  bool improved() const { return cfg_.mode == QuantizationMode::Improved; }
  const QNode& qnode(QValueId id) const { return circuit_.nodes[static_cast<std::size_t>(id)]; }

  int op_inputs_for(const std::string& name) const {
    const auto it = cfg_.op_inputs_by_node.find(name);
    return improved() && it != cfg_.op_inputs_by_node.end() ? it->second : cfg_.n_bits.op_inputs;
  }

  // Most bits the PBS site `name` reads its accumulator on (62: no rounding).
  int rounding_for(const std::string& name) {
    rounded_sites_.insert(name);
    const auto it = cfg_.rounding_bits_by_node.find(name);
    return it != cfg_.rounding_bits_by_node.end() ? it->second : cfg_.rounding_bits.value_or(62);
  }

  // Appends a node and evaluates it on every calibration image.
  QValueId append(QNode node) {
    const QValueId id = circuit_.add(std::move(node));
    runner_->prepare_new_nodes();
    const auto image_size = static_cast<std::size_t>(element_count(circuit_.nodes[0].shape));
    pool_.parallel_for(values_.size(), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
      RunnerScratch scratch;
      PbsReader exact;
      for (std::size_t n = begin; n < end; ++n) {
        values_[n].resize(circuit_.nodes.size());
        runner_->eval(static_cast<std::size_t>(id), values_[n], calib_.data.data() + n * image_size, 0.0, true, exact,
                      scratch);
      }
    });
    return id;
  }

  Range observed(QValueId id) const {
    Range r{std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()};
    for (const auto& image : values_) {
      for (std::int64_t x : image[static_cast<std::size_t>(id)].data) {
        r.lo = std::min(r.lo, x);
        r.hi = std::max(r.hi, x);
      }
    }
    return r;
  }

  // Real values of a node over the calibration set, optionally after ReLU.
  std::vector<double> reals(QValueId id, bool relu) const {
    const QNode& n = qnode(id);
    const std::int64_t channels = n.shape.empty() ? 1 : n.shape[0];
    std::vector<double> out;
    for (const auto& image : values_) {
      const auto& d = image[static_cast<std::size_t>(id)].data;
      const std::size_t per_channel = d.size() / static_cast<std::size_t>(channels);
      for (std::size_t i = 0; i < d.size(); ++i) {
        const auto c = static_cast<std::int64_t>(i / per_channel);
        const double v = n.scale.scale_at(c) * static_cast<double>(d[i] - n.scale.zero_point_at(c));
        out.push_back(relu ? std::max(v, 0.0) : v);
      }
    }
    return out;
  }

  // Mean of x - zero_point per channel (the first dimension) over the calibration images.
  std::vector<double> channel_means(QValueId id) const {
    const QNode& n = qnode(id);
    const std::int64_t channels = n.shape.empty() ? 1 : n.shape[0];
    const auto per_channel = static_cast<std::size_t>(element_count(n.shape) / channels);
    std::vector<double> sums(static_cast<std::size_t>(channels), 0.0);
    for (const auto& image : values_) {
      const auto& d = image[static_cast<std::size_t>(id)].data;
      for (std::size_t i = 0; i < d.size(); ++i) {
        const auto c = static_cast<std::int64_t>(i / per_channel);
        sums[static_cast<std::size_t>(c)] += static_cast<double>(d[i] - n.scale.zero_point_at(c));
      }
    }
    for (double& s : sums) s /= static_cast<double>(per_channel * values_.size());
    return sums;
  }

  // [lo, hi] of real values: min/max, or the configured percentiles in the improved mode.
  std::pair<double, double> real_range(std::vector<double> v) const {
    if (v.empty()) return {0.0, 0.0};
    const double q = improved() ? cfg_.activation_percentile / 100.0 : 1.0;
    auto at = [&](double fraction) {
      const auto k = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(v.size() - 1)));
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
      return v[k];
    };
    return {at(1.0 - q), at(q)};
  }

  // Chooses shift, offset and bits so that indices of [lo, hi] (widened by the margin)
  // land in [0, 2^bits) with bits <= max_bits.
  LookupAttrs size_lookup(Range r, bool add_margin, int max_bits) const {
    if (add_margin) {
      const auto m = static_cast<std::int64_t>(std::ceil(cfg_.index_margin * static_cast<double>(r.hi - r.lo)));
      r.lo -= m;
      r.hi += m;
    }
    LookupAttrs l;
    for (l.shift = 0;; ++l.shift) {
      const std::int64_t count = lookup_index(r.hi, l.shift, 0) - lookup_index(r.lo, l.shift, 0) + 1;
      l.bits = 1;
      while ((std::int64_t{1} << l.bits) < count) ++l.bits;
      if (l.bits <= max_bits) break;
    }
    l.offset = -lookup_index(r.lo, l.shift, 0);
    return l;
  }

  // One lookup re-quantizing `src` (optionally through ReLU) to `bits`, reading the accumulator
  // rounded to rounding_bits, or unrounded with `exact_read`. forced_scale > 0: a residual
  // branch of the reference mode, re-quantized at its join's scale, signed and not clipped to
  // `bits` (as Concrete ML's Add): the table spans the calibration values with the index margin.
  Repr lookup_requant(QValueId src, bool relu, int bits, const std::string& name, double forced_scale = 0.0,
                      bool exact_read = false) {
    const QNode& s = qnode(src);
    LookupAttrs l = size_lookup(observed(src), true, exact_read ? 62 : rounding_for(name));
    l.function.in_scale = s.scale.scale;
    l.function.in_zero_point = s.scale.zero_point.at(0);
    l.function.relu = relu;
    double out_scale = 0.0;
    if (forced_scale > 0.0) {
      out_scale = forced_scale;
      const auto [lo, hi] = real_range(reals(src, relu));
      const double reach = std::max(std::fabs(lo), std::fabs(hi)) * (1.0 + 2.0 * cfg_.index_margin);
      l.function.out_zero_point = 0;
      l.function.out_max = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(reach / out_scale)));
      l.function.out_min = -l.function.out_max;
    } else {
      auto [lo, hi] = real_range(reals(src, relu));
      lo = std::min(lo, 0.0);
      hi = std::max(hi, 0.0);
      const std::int64_t levels = (std::int64_t{1} << bits) - 1;
      out_scale = hi > lo ? (hi - lo) / static_cast<double>(levels) : 1.0;
      l.function.out_zero_point = std::llround(-lo / out_scale);
      l.function.out_min = 0;
      l.function.out_max = levels;
    }
    l.function.out_scale = {out_scale};
    QNode n{QOpKind::Lookup, name, {src}, l, s.shape, QuantScale{{out_scale}, {l.function.out_zero_point}}};
    return Repr{append(std::move(n)), false, false, {}};
  }

  Repr materialize(const Repr& r, const std::string& name) {
    if (!r.accumulator && !r.pending_relu) return r;
    const std::string lookup_name = r.pending_relu ? r.relu_name : name + ".requant";
    return lookup_requant(r.id, r.pending_relu, op_inputs_for(lookup_name), lookup_name);
  }

  Repr& repr(ValueId v) { return repr_[static_cast<std::size_t>(v)]; }

  // Re-quantizes a float value once; later readers share the lookup.
  Repr materialize_value(ValueId v) {
    repr(v) = materialize(repr(v), g_.node(v).name);
    return repr(v);
  }

  void quantize_node(ValueId v) {
    const Node& n = g_.node(v);
    switch (n.op) {
      case OpKind::Input: return quantize_input(v);
      case OpKind::Conv2d:
      case OpKind::Linear: return quantize_linear(v);
      case OpKind::Relu: return quantize_relu(v);
      case OpKind::MaxPool2d: return quantize_max_pool(v);
      case OpKind::Add: return quantize_add(v);
      case OpKind::AvgPool2d: return quantize_avg_pool(v);
      case OpKind::Flatten: {
        const Repr in = repr(n.inputs[0]);
        const QNode& src = qnode(in.id);
        if (src.scale.scale.size() != 1 && src.shape.size() == 3 && src.shape[1] * src.shape[2] != 1) {
          throw InvalidArgument("quantizer: Flatten '" + n.name + "' of a per-channel scaled " + to_string(src.shape));
        }
        QNode q{QOpKind::Flatten, n.name, {in.id}, FlattenAttrs{}, n.shape, src.scale};
        repr(v) = Repr{append(std::move(q)), in.accumulator, in.pending_relu, in.relu_name};
        return;
      }
      case OpKind::BatchNorm2d:
        throw InvalidArgument("quantizer: BatchNorm2d '" + n.name +
                              "' is not folded (run fold_batch_norm_inplace first)");
    }
  }

  void quantize_input(ValueId v) {
    const Node& n = g_.node(v);
    std::vector<double> x(calib_.data.begin(), calib_.data.end());
    auto [lo, hi] = real_range(std::move(x));
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
    const std::int64_t levels = (std::int64_t{1} << cfg_.n_bits.model_inputs) - 1;
    QuantizeInputAttrs a;
    a.scale = hi > lo ? (hi - lo) / static_cast<double>(levels) : 1.0;
    a.zero_point = std::llround(-lo / a.scale);
    a.q_min = 0;
    a.q_max = levels;
    QNode q{QOpKind::QuantizeInput, n.name, {}, a, n.shape, QuantScale{{a.scale}, {a.zero_point}}};
    repr(v) = Repr{append(std::move(q)), false, false, {}};
  }

  // Improved mode: the unit u of a residual join's accumulator, chosen so that the join costs
  // no PBS and adds little noise: the finest natural op_weights-bit scale of any output channel
  // of the conv branches (conv2, downsample), rounded down to s_x / 2^k when an identity branch
  // (scale s_x) enters. The conv branches are quantized directly at u (every channel keeps at
  // least op_weights bits, the widest about join_weight_bits) and enter with multiplier 1; the
  // identity enters with 2^k, which the compiler turns into a placement 2^k above the join
  // rather than a noise multiplier.
  double join_unit(ValueId add) {
    if (const auto it = join_unit_.find(add); it != join_unit_.end()) return it->second;
    double u = std::numeric_limits<double>::infinity(), identity_scale = 0.0, widest = 0.0;
    for (ValueId in : g_.node(add).inputs) {
      const Node& b = g_.node(in);
      if (b.op == OpKind::Conv2d) {
        const Repr& x = repr(b.inputs[0]);
        for (double s : natural_weight_scales(b.params.at("weight"), qnode(x.id).scale, cfg_.n_bits.op_weights, true)) {
          u = std::min(u, s);
          widest = std::max(widest, s);
        }
      } else {
        const Repr& x = repr(in);
        if (x.accumulator || x.pending_relu || qnode(x.id).scale.scale.size() != 1) {
          throw InvalidArgument("quantizer: Add '" + g_.node(add).name + "': input '" + b.name +
                                "' is neither a convolution nor a quantized activation");
        }
        identity_scale = qnode(x.id).scale.scale[0];
      }
    }
    const auto levels = [](int bits) { return static_cast<double>((std::int64_t{1} << (bits - 1)) - 1); };
    u = std::max(u, widest * levels(cfg_.n_bits.op_weights) / levels(cfg_.join_weight_bits));
    if (identity_scale > 0.0) {
      int k = 0;
      while (std::ldexp(identity_scale, -k) > u) ++k;
      u = std::ldexp(identity_scale, -k);
    }
    return join_unit_[add] = u;
  }

  void quantize_linear(ValueId v) {
    const Node& n = g_.node(v);
    Repr in = repr(n.inputs[0]);
    if (in.pending_relu || (in.accumulator && !improved())) in = materialize_value(n.inputs[0]);
    const QNode& src = qnode(in.id);
    const bool conv = n.op == OpKind::Conv2d;
    const Tensor& w = n.params.at("weight");
    const auto bias_it = n.params.find("bias");
    const Tensor* bias = bias_it == n.params.end() ? nullptr : &bias_it->second;
    std::vector<double> scales = natural_weight_scales(w, src.scale, cfg_.n_bits.op_weights, improved());
    int weight_bits = cfg_.n_bits.op_weights;
    bool join_branch = false;
    if (improved() && conv && consumers_[static_cast<std::size_t>(v)] == 1) {
      for (std::size_t a = static_cast<std::size_t>(v) + 1; a < g_.nodes.size(); ++a) {
        const Node& add = g_.nodes[a];
        if (add.op != OpKind::Add || std::find(add.inputs.begin(), add.inputs.end(), v) == add.inputs.end()) continue;
        const std::vector<double> natural = scales;
        scales.assign(natural.size(), join_unit(static_cast<ValueId>(a)));
        weight_bits = bits_at_scales(natural, scales, weight_bits);
        join_branch = true;
      }
    }
    QuantizedWeights q = quantize_weights(w, bias, src.scale, scales, weight_bits);
    if (improved() && cfg_.bias_correction) correct_bias(w, src.scale, channel_means(in.id), q);
    QNode node;
    node.name = n.name;
    node.inputs = {in.id};
    node.shape = n.shape;
    node.scale = QuantScale{q.scales, {0}};
    if (conv) {
      const auto& a = std::get<Conv2dAttrs>(n.attrs);
      node.op = QOpKind::IntConv2d;
      node.attrs = IntConv2dAttrs{w.shape,  std::move(q.weight), std::move(q.bias),
                                  a.stride, a.padding,           src.scale.zero_point.at(0)};
    } else {
      node.op = QOpKind::IntLinear;
      node.attrs = IntLinearAttrs{w.shape, std::move(q.weight), std::move(q.bias)};
    }
    const QValueId id = append(std::move(node));
    if (join_branch) join_branches_.insert(id);
    repr(v) = Repr{id, true, false, {}};
  }

  void quantize_relu(ValueId v) {
    const Node& n = g_.node(v);
    const Repr in = repr(n.inputs[0]);
    bool feeds_max_pool = false;
    for (const Node& c : g_.nodes) {
      for (ValueId i : c.inputs) feeds_max_pool = feeds_max_pool || (i == v && c.op == OpKind::MaxPool2d);
    }
    if (improved() && in.accumulator && !in.pending_relu && feeds_max_pool &&
        consumers_[static_cast<std::size_t>(v)] == 1) {
      repr(v) = Repr{in.id, true, true, n.name};  // max on accumulators, ReLU lookup after the pool
      return;
    }
    const Repr src = in.pending_relu ? materialize(in, n.name) : in;
    // The reference mode reads its residual sums unrounded, as Concrete ML rounds only the
    // accumulators of convolutions, matrix products and pools.
    const bool reference_join = !improved() && qnode(src.id).op == QOpKind::Combine;
    repr(v) = lookup_requant(src.id, true, op_inputs_for(n.name), n.name, 0.0, reference_join);
  }

  void quantize_max_pool(ValueId v) {
    const Node& n = g_.node(v);
    const auto& p = std::get<Pool2dAttrs>(n.attrs);
    Repr in = repr(n.inputs[0]);
    if (!improved() && (in.accumulator || in.pending_relu)) in = materialize_value(n.inputs[0]);
    const Range r = observed(in.id);
    MaxPool2dAttrs a;
    a.kernel = p.kernel;
    a.stride = p.stride;
    a.padding = p.padding;
    a.schedule = improved() ? MaxPoolSchedule::Separable : MaxPoolSchedule::Sequential;
    // Padding must not win a max: the smallest value the input can take.
    const QNode& src = qnode(in.id);
    const auto* src_lookup = std::get_if<LookupAttrs>(&src.attrs);
    a.pad_value = src_lookup ? src_lookup->function.out_min : r.lo;
    const std::int64_t span = src_lookup ? src_lookup->function.out_max - src_lookup->function.out_min : r.hi - r.lo;
    const auto margin =
        static_cast<std::int64_t>(src_lookup ? 0.0 : std::ceil(2.0 * cfg_.index_margin * static_cast<double>(span)));
    a.pair = size_lookup(Range{-span - margin, span + margin}, false, rounding_for(n.name));
    a.pair.function.relu = true;
    a.pair.function.out_min = 0;
    a.pair.function.out_max = std::numeric_limits<std::int64_t>::max() / 4;
    QNode q{QOpKind::MaxPool2d, n.name, {in.id}, a, n.shape, src.scale};
    Repr out{append(std::move(q)), in.accumulator, in.pending_relu, in.relu_name};
    // The reference re-quantizes the pooled value: one more lookup per output.
    if (!improved()) out = lookup_requant(out.id, false, op_inputs_for(n.name), n.name + ".requant");
    repr(v) = out;
  }

  void quantize_add(ValueId v) {
    const Node& n = g_.node(v);
    std::vector<QValueId> ids;
    CombineAttrs c;
    QuantScale scale;
    if (!improved()) {
      // Concrete ML's Add: both branches re-quantized by a lookup to the sum's own op_inputs-bit
      // scale (its calibration range, zero point 0, not clipped), then added.
      std::vector<double> sum;
      for (ValueId in : n.inputs) {
        const std::vector<double> r = reals(repr(in).id, repr(in).pending_relu);
        if (sum.empty()) sum.assign(r.size(), 0.0);
        for (std::size_t i = 0; i < r.size(); ++i) sum[i] += r[i];
      }
      auto [lo, hi] = real_range(std::move(sum));
      lo = std::min(lo, 0.0);
      hi = std::max(hi, 0.0);
      const int bits = op_inputs_for(n.name);
      const double s = hi > lo ? (hi - lo) / static_cast<double>((std::int64_t{1} << bits) - 1) : 1.0;
      for (std::size_t k = 0; k < n.inputs.size(); ++k) {
        const Repr& b = repr(n.inputs[k]);
        ids.push_back(lookup_requant(b.id, b.pending_relu, bits, n.name + ".branch" + std::to_string(k), s).id);
        c.multipliers.push_back({1});
      }
      scale = QuantScale{{s}, {0}};
    } else {
      const double u = join_unit(v);
      std::int64_t bias = 0;
      for (ValueId in : n.inputs) {
        const Repr& b = repr(in);
        ids.push_back(b.id);
        if (join_branches_.count(b.id) != 0) {
          c.multipliers.push_back({1});
          continue;
        }
        const QNode& x = qnode(b.id);
        if (b.accumulator || b.pending_relu || x.scale.scale.size() != 1) {
          throw InvalidArgument("quantizer: Add '" + n.name + "': input '" + g_.node(in).name +
                                "' cannot be aligned to the join's scale");
        }
        const std::int64_t m = std::llround(x.scale.scale.at(0) / u);
        c.multipliers.push_back({m});
        bias -= m * x.scale.zero_point.at(0);
      }
      c.bias = {bias};
      scale = QuantScale{{u}, {0}};
    }
    QNode q{QOpKind::Combine, n.name, ids, c, n.shape, scale};
    repr(v) = Repr{append(std::move(q)), true, false, {}};
  }

  void quantize_avg_pool(ValueId v) {
    const Node& n = g_.node(v);
    const auto& p = std::get<Pool2dAttrs>(n.attrs);
    const Repr in = materialize_value(n.inputs[0]);
    const QNode& src = qnode(in.id);
    if (src.scale.scale.size() != 1)
      throw InvalidArgument("quantizer: AvgPool2d '" + n.name + "' of per-channel scales");
    const std::int64_t zp = src.scale.zero_point.at(0), window = p.kernel * p.kernel;
    SumPool2dAttrs a{p.kernel, p.stride, p.padding, zp, -window * zp};
    QNode q{QOpKind::SumPool2d,
            n.name,
            {in.id},
            a,
            n.shape,
            QuantScale{{src.scale.scale[0] / static_cast<double>(window)}, {0}}};
    Repr out{append(std::move(q)), true, false, {}};
    // The reference re-quantizes the pooled value before the fc; here it feeds the fc directly.
    if (!improved()) out = lookup_requant(out.id, false, op_inputs_for(n.name), n.name + ".requant");
    repr(v) = out;
  }

  const Graph& g_;
  const Tensor& calib_;
  const QuantizationConfig& cfg_;
  ThreadPool& pool_;
  std::vector<int> consumers_;
  QuantizedCircuit circuit_;
  std::unique_ptr<CircuitRunner> runner_;
  std::vector<std::vector<IntTensor>> values_;  // [calibration image][circuit node]
  std::vector<Repr> repr_;                      // per float value
  std::map<ValueId, double> join_unit_;         // per Add
  std::set<QValueId> join_branches_;            // conv branches quantized at their join's unit
  std::set<std::string> rounded_sites_;         // PBS sites read with rounding (rounding_bits_by_node's keys)
};

}  // namespace

QuantizedCircuit make_quantized_circuit(const Graph& graph, const Tensor& calibration, const QuantizationConfig& config,
                                        ThreadPool& pool) {
  validate_config(config);
  Graph g = graph;
  infer_shapes_inplace(g);
  const Shape& in = g.nodes.at(0).shape;
  Shape expected{calibration.shape.empty() ? 0 : calibration.shape[0]};
  expected.insert(expected.end(), in.begin(), in.end());
  if (calibration.shape != expected || expected[0] < 1) {
    throw InvalidArgument("quantizer: calibration images of shape " + to_string(calibration.shape) +
                          ", expected [N >= 1, " + to_string(in).substr(1));
  }
  return Quantizer(g, calibration, config, pool).run();
}

}  // namespace veil::nn::quant
