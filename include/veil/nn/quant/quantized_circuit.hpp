#pragma once
// The quantized circuit: a graph of integer ops that the FHE compiler lowers 1:1 to
// linear operations on ciphertexts and programmable bootstraps (PBS, one table lookup
// each). Node i produces value i, inputs are earlier values (topological order). Every
// value is an int64 tensor per image ([C, H, W] or [F]) with a QuantScale that reads it
// as real numbers. Exact semantics of each op: docs/quantization.md.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "veil/common/quantization.hpp"
#include "veil/common/tensor.hpp"

namespace veil::nn::quant {

using QValueId = std::int32_t;

// The encodings the FHE client shares (veil/common/quantization.hpp), under their nn names.
using veil::IntTensor;
using veil::QuantizeInputAttrs;
using veil::QuantScale;

/// y[o, i, j] = bias[o] + sum_{c, u, v} weight[o, c, u, v] * x[c, i*stride - padding + u, j*stride - padding + v],
/// positions outside the input read pad_value (the input's zero point, so padding means 0).
struct IntConv2dAttrs {
  Shape weight_shape;  // [O, C, k, k]
  std::vector<std::int64_t> weight;
  std::vector<std::int64_t> bias;  // [O]; zero-point corrections folded in
  std::int64_t stride = 1, padding = 0, pad_value = 0;
};

/// y[o] = bias[o] + sum_f weight[o, f] * x[f].
struct IntLinearAttrs {
  Shape weight_shape;  // [O, F]
  std::vector<std::int64_t> weight;
  std::vector<std::int64_t> bias;
};

/// y[c, ...] = bias[c] + sum_i multipliers[i][c] * inputs[i][c, ...] (residual joins).
/// Each multiplier list and bias has 1 (per tensor) or C entries.
struct CombineAttrs {
  std::vector<std::vector<std::int64_t>> multipliers;
  std::vector<std::int64_t> bias{0};
};

/// y[c, i, j] = bias + sum of the k x k window (AvgPool as an integer sum); outside
/// positions read pad_value.
struct SumPool2dAttrs {
  std::int64_t kernel = 1, stride = 1, padding = 0, pad_value = 0;
  std::int64_t bias = 0;
};

/// The function a lookup table tabulates, per channel c:
///   v   = in_scale[c] * ((index - offset) * 2^shift - in_zero_point)      (the real input)
///   v   = max(v, 0) if relu
///   out = clamp(round_half_away(v / out_scale[c]) + out_zero_point, out_min, out_max)
/// in_scale / out_scale have 1 or C entries.
struct LookupFunction {
  std::vector<double> in_scale{1.0};
  std::int64_t in_zero_point = 0;
  bool relu = false;
  std::vector<double> out_scale{1.0};
  std::int64_t out_zero_point = 0;
  std::int64_t out_min = 0, out_max = 0;
};

/// One PBS per element: index = floor((acc + 2^(shift-1)) / 2^shift) + offset (rounding
/// half up; floor(acc) when shift == 0), read negacyclically on `bits` bits:
///   i = index mod 2^(bits+1);  i < 2^bits ? table[i] : -table[i - 2^bits].
/// table[c][i] = function evaluated at index i for channel c (make_lookup_table).
struct LookupAttrs {
  int shift = 0;
  std::int64_t offset = 0;
  int bits = 1;
  LookupFunction function;
};

/// Order in which a max-pool's pairwise maxes are taken; each max2(a, b) = b + L(a - b),
/// L = `pair` (a ReLU lookup on the difference), one PBS.
enum class MaxPoolSchedule {
  Sequential,  // per output: m = w_0; m = max2(w_t, m) for the k*k window positions in
               // row-major order, padded positions read pad_value (k*k - 1 PBS per output)
  Separable,   // rows then columns: h[c, r, j] folds the valid columns of each input row,
               // then y[c, i, j] folds h over the valid rows; padded positions are skipped
};

struct MaxPool2dAttrs {
  std::int64_t kernel = 1, stride = 1, padding = 0, pad_value = 0;
  MaxPoolSchedule schedule = MaxPoolSchedule::Sequential;
  LookupAttrs pair;  // function: ReLU of the difference in input units
};

/// [C, H, W] -> [C*H*W], data unchanged.
struct FlattenAttrs {};

enum class QOpKind { QuantizeInput, IntConv2d, IntLinear, Combine, SumPool2d, MaxPool2d, Lookup, Flatten };

/// "QuantizeInput", "IntConv2d", ...
const char* qop_name(QOpKind op);

using QOpAttrs = std::variant<QuantizeInputAttrs, IntConv2dAttrs, IntLinearAttrs, CombineAttrs, SumPool2dAttrs,
                              MaxPool2dAttrs, LookupAttrs, FlattenAttrs>;

struct QNode {
  QOpKind op = QOpKind::QuantizeInput;
  std::string name;  // unique; derived from the float node, e.g. "layer1.0.relu1"
  std::vector<QValueId> inputs;
  QOpAttrs attrs;
  Shape shape;       // per image
  QuantScale scale;  // how to read this node's output as real numbers
};

/// The lookup a node's PBS reads: a Lookup's own, a MaxPool2d's pair lookup; nullptr for other nodes.
const LookupAttrs* pbs_lookup(const QNode& node);
LookupAttrs* pbs_lookup(QNode& node);

struct QuantizedCircuit {
  std::vector<QNode> nodes;  // nodes[0] is the QuantizeInput
  QValueId output = -1;      // read with nodes[output].scale (the logits)
  /// Largest |output integer| the encrypted output must decode: the calibration images' maximum
  /// times QuantizationConfig::output_margin (0: no calibration, decode the proven worst case).
  /// Not a proof: an input beyond it would wrap its logit.
  std::int64_t output_decode_bound = 0;

  QValueId add(QNode node);
  const QNode& node(QValueId v) const;
};

/// Checks edges, attribute kinds and sizes against the shapes (InvalidArgument naming the
/// node otherwise).
void validate_circuit(const QuantizedCircuit& circuit);

}  // namespace veil::nn::quant
