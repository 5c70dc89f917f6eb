#include "veil/nn/quant/quantization_config.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::nn::quant {
namespace {

void check_bits(const std::string& field, int bits, int lo, int hi) {
  if (bits < lo || bits > hi) {
    throw InvalidArgument("quantization config: " + field + " = " + std::to_string(bits) + ", expected " +
                          std::to_string(lo) + ".." + std::to_string(hi));
  }
}

}  // namespace

void validate_config(const QuantizationConfig& c) {
  check_bits("n_bits.model_inputs", c.n_bits.model_inputs, 2, 16);
  check_bits("n_bits.op_inputs", c.n_bits.op_inputs, 2, 16);
  check_bits("n_bits.op_weights", c.n_bits.op_weights, 2, 16);
  check_bits("n_bits.model_outputs", c.n_bits.model_outputs, 2, 16);
  if (c.rounding_bits) check_bits("rounding_bits", *c.rounding_bits, 1, 24);
  for (const auto& [name, bits] : c.rounding_bits_by_node)
    check_bits("rounding_bits_by_node[" + name + "]", bits, 1, 24);
  for (const auto& [name, bits] : c.op_inputs_by_node) check_bits("op_inputs_by_node[" + name + "]", bits, 2, 16);
  if (!(c.activation_percentile > 50.0 && c.activation_percentile <= 100.0)) {
    throw InvalidArgument("quantization config: activation_percentile = " + std::to_string(c.activation_percentile) +
                          ", expected in (50, 100]");
  }
  check_bits("join_weight_bits", c.join_weight_bits, c.n_bits.op_weights, 24);
  if (!(c.output_margin >= 1.0 && c.output_margin <= 1e6)) {
    throw InvalidArgument("quantization config: output_margin = " + std::to_string(c.output_margin) +
                          ", expected 1 <= margin <= 1e6");
  }
  if (!(c.index_margin >= 0.0 && c.index_margin <= 1.0)) {
    throw InvalidArgument("quantization config: index_margin = " + std::to_string(c.index_margin) +
                          ", expected in [0, 1]");
  }
}

}  // namespace veil::nn::quant
