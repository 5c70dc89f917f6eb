#include "nn/quant/executor/circuit_runner.hpp"

#include <array>

namespace veil::nn::quant {

CircuitRunner::CircuitRunner(const QuantizedCircuit& circuit, std::size_t max_table_entries)
    : circuit_(circuit), max_table_entries_(max_table_entries) {
  prepare_new_nodes();
}

void CircuitRunner::prepare_new_nodes() {
  for (std::size_t i = weights_.size(); i < circuit_.nodes.size(); ++i) {
    const QNode& n = circuit_.nodes[i];
    weights_.emplace_back();
    lookups_.emplace_back();
    if (const auto* a = std::get_if<IntConv2dAttrs>(&n.attrs)) weights_.back() = make_double_weights(a->weight);
    if (const auto* a = std::get_if<IntLinearAttrs>(&n.attrs)) weights_.back() = make_double_weights(a->weight);
    if (const auto* a = std::get_if<LookupAttrs>(&n.attrs))
      lookups_.back() = make_prepared_lookup(*a, max_table_entries_);
    if (const auto* a = std::get_if<MaxPool2dAttrs>(&n.attrs)) {
      lookups_.back() = make_prepared_lookup(a->pair, max_table_entries_);
    }
  }
}

void CircuitRunner::eval(std::size_t i, std::vector<IntTensor>& values, const float* image, double sigma,
                         bool use_residual, PbsReader& reader, RunnerScratch& scratch) const {
  const QNode& n = circuit_.nodes[i];
  IntTensor& y = values[i];
  auto in = [&](std::size_t k) -> const IntTensor& { return values[static_cast<std::size_t>(n.inputs[k])]; };
  reader.set_noise(sigma, use_residual);
  switch (n.op) {
    case QOpKind::QuantizeInput:
      y.shape = n.shape;
      quantize_input(std::get<QuantizeInputAttrs>(n.attrs), image, static_cast<std::size_t>(element_count(n.shape)), y);
      break;
    case QOpKind::IntConv2d:
      int_conv2d(std::get<IntConv2dAttrs>(n.attrs), weights_[i], in(0), n.shape, y, scratch.doubles);
      break;
    case QOpKind::IntLinear:
      int_linear(std::get<IntLinearAttrs>(n.attrs), weights_[i], in(0), y, scratch.doubles);
      break;
    case QOpKind::Combine: {
      std::vector<const IntTensor*> xs;
      for (std::size_t k = 0; k < n.inputs.size(); ++k) xs.push_back(&in(k));
      combine(std::get<CombineAttrs>(n.attrs), xs, y);
      break;
    }
    case QOpKind::SumPool2d: sum_pool2d(std::get<SumPool2dAttrs>(n.attrs), in(0), n.shape, y); break;
    case QOpKind::MaxPool2d:
      max_pool2d(std::get<MaxPool2dAttrs>(n.attrs), lookups_[i], in(0), n.shape, y, reader, scratch.ints);
      break;
    case QOpKind::Lookup: apply_lookup(lookups_[i], in(0), y, reader); break;
    case QOpKind::Flatten:
      y.data = in(0).data;
      y.shape = n.shape;
      break;
  }
}

std::uint64_t node_pbs_count(const QuantizedCircuit& circuit, std::size_t i) {
  const QNode& n = circuit.nodes[i];
  if (n.op == QOpKind::Lookup) return static_cast<std::uint64_t>(element_count(n.shape));
  if (n.op != QOpKind::MaxPool2d) return 0;
  const auto& a = std::get<MaxPool2dAttrs>(n.attrs);
  const Shape& in = circuit.nodes[static_cast<std::size_t>(n.inputs[0])].shape;
  const std::int64_t channels = in[0], h = in[1], w = in[2], ho = n.shape[1], wo = n.shape[2];
  if (a.schedule == MaxPoolSchedule::Sequential) {
    return static_cast<std::uint64_t>(channels * ho * wo * (a.kernel * a.kernel - 1));
  }
  // Separable: (valid window positions - 1) per row fold and per column fold.
  auto folds = [&](std::int64_t size, std::int64_t outputs) {
    std::int64_t total = 0;
    for (std::int64_t j = 0; j < outputs; ++j) {
      std::int64_t valid = 0;
      for (std::int64_t t = 0; t < a.kernel; ++t) {
        const std::int64_t q = j * a.stride - a.padding + t;
        valid += q >= 0 && q < size;
      }
      total += valid - 1;
    }
    return total;
  };
  return static_cast<std::uint64_t>(channels * (h * folds(w, wo) + wo * folds(h, ho)));
}

}  // namespace veil::nn::quant
