// Weight and input quantizers against hand-computed values (scales chosen as powers of two
// or exact thirds so that every rounding below is unambiguous).
#include <gtest/gtest.h>

#include "nn/quant/kernels/int_kernels.hpp"
#include "nn/quant/quantizer/weight_quantization.hpp"
#include "veil/common/error.hpp"

namespace veil::nn::quant {
namespace {

// Linear [2, 2], input scale 0.5 and zero point 3, 3-bit weights (levels -3..3):
// effective weights [[0.375, -0.75], [0.25, 0.0625]].
const Tensor kWeight({2, 2}, {0.75f, -1.5f, 0.5f, 0.125f});
const Tensor kBias({2}, {1.0f, -0.5f});
const QuantScale kInput{{0.5}, {3}};

TEST(WeightQuantization, PerChannelSymmetric) {
  const std::vector<double> scales = natural_weight_scales(kWeight, kInput, 3, true);
  ASSERT_EQ(scales.size(), 2u);
  EXPECT_DOUBLE_EQ(scales[0], 0.25);
  EXPECT_DOUBLE_EQ(scales[1], 0.25 / 3);
  const QuantizedWeights q = quantize_weights(kWeight, &kBias, kInput, scales, 3);
  // 0.375/0.25 = 1.5 -> 2 (half away from zero); -0.75/0.25 = -3; 0.25*12 = 3; 0.0625*12 = 0.75 -> 1.
  EXPECT_EQ(q.weight, (std::vector<std::int64_t>{2, -3, 3, 1}));
  // bias: round(1/0.25) - 3*(2-3) = 7; round(-0.5*12) - 3*(3+1) = -18.
  EXPECT_EQ(q.bias, (std::vector<std::int64_t>{7, -18}));
  EXPECT_EQ(q.scales.size(), 2u);
}

TEST(WeightQuantization, PerTensorSymmetric) {
  const std::vector<double> scales = natural_weight_scales(kWeight, kInput, 3, false);
  EXPECT_EQ(scales, (std::vector<double>{0.25, 0.25}));
  const QuantizedWeights q = quantize_weights(kWeight, &kBias, kInput, scales, 3);
  // Row 1: 0.25/0.25 = 1, 0.0625/0.25 = 0.25 -> 0; bias round(-2) - 3*1 = -5.
  EXPECT_EQ(q.weight, (std::vector<std::int64_t>{2, -3, 1, 0}));
  EXPECT_EQ(q.bias, (std::vector<std::int64_t>{7, -5}));
  EXPECT_EQ(q.scales, std::vector<double>{0.25});
}

// The per-channel case above: w_eff / scale = [1.5, -3 | 3, 0.75] rounds to [2, -3 | 3, 1], errors
// [-0.5, 0 | 0, -0.25]. With input means (x - zero point) 4 and 2: row 0 shifts by -2 (bias 7 -> 5),
// row 1 by -0.5, which rounds half away from zero to -1 (bias -18 -> -19).
TEST(WeightQuantization, BiasCorrectionAddsTheRoundedWeightsMeanError) {
  const std::vector<double> scales = natural_weight_scales(kWeight, kInput, 3, true);
  QuantizedWeights q = quantize_weights(kWeight, &kBias, kInput, scales, 3);
  correct_bias(kWeight, kInput, {4.0, 2.0}, q);
  EXPECT_EQ(q.bias, (std::vector<std::int64_t>{5, -19}));
  EXPECT_EQ(q.weight, (std::vector<std::int64_t>{2, -3, 3, 1}));  // weights untouched
  EXPECT_THROW(correct_bias(kWeight, kInput, {4.0}, q), InvalidArgument);
}

TEST(WeightQuantization, WidthAtAFinerScaleHoldsTheLargestWeight) {
  // At 3 bits the largest weight of each row is 3 levels. At scale 0.05 the rows' largest
  // weights 3*0.25 and 3*0.1 become 15 and 6 levels: 15 needs 5 bits (limit 15), not 4 (7).
  EXPECT_EQ(bits_at_scales({0.25, 0.1}, {0.05, 0.05}, 3), 5);
  EXPECT_EQ(bits_at_scales({0.25, 0.1}, {0.25, 0.1}, 3), 3);  // never below the given width
  EXPECT_EQ(bits_at_scales({0.25}, {0.0625}, 3), 5);          // 12 levels: 4 bits hold only 7
}

TEST(InputQuantization, RoundsHalfUpAndClamps) {
  const QuantizeInputAttrs a{0.5, 3, 0, 7};
  const float x[] = {-2.0f, -1.25f, 0.2f, 0.25f, 10.0f};
  IntTensor y;
  quantize_input(a, x, 5, y);
  // floor(x/0.5 + 1/2) + 3: -4+3 -> clamp 0; -2+3 = 1 (half up); 0+3; 1+3 (half up); 20+3 -> clamp 7.
  EXPECT_EQ(y.data, (std::vector<std::int64_t>{0, 1, 3, 4, 7}));
}

}  // namespace
}  // namespace veil::nn::quant
