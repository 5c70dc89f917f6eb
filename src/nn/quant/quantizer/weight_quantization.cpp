#include "nn/quant/quantizer/weight_quantization.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "veil/common/error.hpp"

namespace veil::nn::quant {
namespace {

// Effective weight w[o, k] * s_in[c(k)] with k running over the input channel's block.
double effective(const Tensor& w, const QuantScale& input, std::int64_t o, std::int64_t k) {
  const std::int64_t per_output = w.size() / w.shape[0];
  const std::int64_t per_input_channel = per_output / w.shape[1];
  return static_cast<double>(w.data[static_cast<std::size_t>(o * per_output + k)]) *
         input.scale_at(input.scale.size() == 1 ? 0 : k / per_input_channel);
}

double level_limit(int bits) { return static_cast<double>((std::int64_t{1} << (bits - 1)) - 1); }

}  // namespace

std::vector<double> natural_weight_scales(const Tensor& weight, const QuantScale& input, int bits, bool per_channel) {
  const std::int64_t outputs = weight.shape[0], per_output = weight.size() / outputs;
  std::vector<double> max_abs(static_cast<std::size_t>(outputs), 0.0);
  for (std::int64_t o = 0; o < outputs; ++o) {
    for (std::int64_t k = 0; k < per_output; ++k) {
      max_abs[static_cast<std::size_t>(o)] =
          std::max(max_abs[static_cast<std::size_t>(o)], std::fabs(effective(weight, input, o, k)));
    }
  }
  if (!per_channel) std::fill(max_abs.begin(), max_abs.end(), *std::max_element(max_abs.begin(), max_abs.end()));
  std::vector<double> scales;
  for (double m : max_abs) scales.push_back(m > 0.0 ? m / level_limit(bits) : 1.0);
  return scales;
}

int bits_at_scales(const std::vector<double>& natural, const std::vector<double>& scales, int bits) {
  int needed = bits;
  for (std::size_t o = 0; o < natural.size(); ++o) {
    while (level_limit(needed) < std::round(natural[o] * level_limit(bits) / scales[o])) ++needed;
  }
  return needed;
}

QuantizedWeights quantize_weights(const Tensor& weight, const Tensor* bias, const QuantScale& input,
                                  const std::vector<double>& scales, int bits) {
  const std::int64_t outputs = weight.shape[0], per_output = weight.size() / outputs;
  if (input.zero_point.size() != 1) throw InvalidArgument("quantize_weights: input zero point must be per tensor");
  const std::int64_t zp = input.zero_point[0];
  const double limit = level_limit(bits);
  QuantizedWeights q;
  q.weight.resize(static_cast<std::size_t>(weight.size()));
  q.bias.resize(static_cast<std::size_t>(outputs));
  for (std::int64_t o = 0; o < outputs; ++o) {
    const double s = scales[static_cast<std::size_t>(o)];
    std::int64_t sum = 0;
    for (std::int64_t k = 0; k < per_output; ++k) {
      const double v = std::clamp(std::round(effective(weight, input, o, k) / s), -limit, limit);
      q.weight[static_cast<std::size_t>(o * per_output + k)] = static_cast<std::int64_t>(v);
      sum += static_cast<std::int64_t>(v);
    }
    const double b = bias ? static_cast<double>(bias->data[static_cast<std::size_t>(o)]) : 0.0;
    q.bias[static_cast<std::size_t>(o)] = std::llround(b / s) - zp * sum;
  }
  const bool shared = std::all_of(scales.begin(), scales.end(), [&](double s) { return s == scales[0]; });
  q.scales = shared ? std::vector<double>{scales[0]} : scales;
  return q;
}

void correct_bias(const Tensor& weight, const QuantScale& input, const std::vector<double>& input_means,
                  QuantizedWeights& q) {
  const std::int64_t outputs = weight.shape[0], per_output = weight.size() / outputs;
  const std::int64_t per_input_channel = per_output / weight.shape[1];
  if (input_means.size() != static_cast<std::size_t>(weight.shape[1])) {
    throw InvalidArgument("correct_bias: " + std::to_string(input_means.size()) + " input means for " +
                          std::to_string(weight.shape[1]) + " input channels");
  }
  for (std::int64_t o = 0; o < outputs; ++o) {
    const double s = q.scales.size() == 1 ? q.scales[0] : q.scales[static_cast<std::size_t>(o)];
    double shift = 0.0;
    for (std::int64_t k = 0; k < per_output; ++k) {
      const double error = effective(weight, input, o, k) / s -
                           static_cast<double>(q.weight[static_cast<std::size_t>(o * per_output + k)]);
      shift += error * input_means[static_cast<std::size_t>(k / per_input_channel)];
    }
    q.bias[static_cast<std::size_t>(o)] += std::llround(shift);
  }
}

}  // namespace veil::nn::quant
