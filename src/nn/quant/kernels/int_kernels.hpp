#pragma once
// Per-image integer kernels of the quantized circuit's ops (one image: [C, H, W] or [F]).
// The executor and the quantizer's calibration both run them, so calibration sees exactly
// the values the circuit computes.
#include <cstdint>
#include <span>
#include <vector>

#include "veil/common/quantization.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// A lookup with its tables materialised (tables empty: entries computed from the function).
struct PreparedLookup {
  const LookupAttrs* attrs = nullptr;
  std::vector<std::vector<std::int64_t>> tables;  // [table count][2^bits]
};

/// Materialises tables when they hold at most `max_entries` entries in all.
PreparedLookup make_prepared_lookup(const LookupAttrs& attrs, std::size_t max_entries);

/// Reads PBS outputs, numbering the PBS of one image in evaluation order and, when sigma > 0,
/// moving each index by the misread drawn from misread_model.hpp.
class PbsReader {
 public:
  PbsReader() = default;  // exact reads
  PbsReader(std::uint64_t seed, std::uint64_t image) : seed_(seed), image_(image) {}

  /// Noise of the following reads; use_residual false models EXACT rounding (f = 0).
  void set_noise(double sigma, bool use_residual) {
    sigma_ = sigma;
    use_residual_ = use_residual;
  }
  std::int64_t read(const PreparedLookup& lookup, std::int64_t channel, std::int64_t acc);

  std::uint64_t pbs() const { return pbs_; }
  std::uint64_t misreads() const { return misreads_; }
  double expected_misreads() const { return expected_; }

 private:
  std::uint64_t seed_ = 0, image_ = 0;
  double sigma_ = 0.0;
  bool use_residual_ = true;
  std::uint64_t pbs_ = 0, misreads_ = 0;
  double expected_ = 0.0;
};

/// weight_d: the weights as doubles. scratch grows as needed.
void int_conv2d(const IntConv2dAttrs& attrs, const std::vector<double>& weight_d, const IntTensor& x,
                const Shape& out_shape, IntTensor& y, std::vector<double>& scratch);
void int_linear(const IntLinearAttrs& attrs, const std::vector<double>& weight_d, const IntTensor& x, IntTensor& y,
                std::vector<double>& scratch);
void combine(const CombineAttrs& attrs, std::span<const IntTensor* const> xs, IntTensor& y);
void sum_pool2d(const SumPool2dAttrs& attrs, const IntTensor& x, const Shape& out_shape, IntTensor& y);
void max_pool2d(const MaxPool2dAttrs& attrs, const PreparedLookup& pair, const IntTensor& x, const Shape& out_shape,
                IntTensor& y, PbsReader& reader, std::vector<std::int64_t>& scratch);
void apply_lookup(const PreparedLookup& lookup, const IntTensor& x, IntTensor& y, PbsReader& reader);

/// Weights as doubles for int_conv2d / int_linear.
std::vector<double> make_double_weights(const std::vector<std::int64_t>& weight);

}  // namespace veil::nn::quant
