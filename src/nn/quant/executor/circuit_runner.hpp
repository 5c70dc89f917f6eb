#pragma once
// Evaluates one node of a quantized circuit for one image, with each node's weights as
// doubles and its lookup tables prepared once. Shared by the executor and by the
// quantizer's calibration (which prepares nodes as it appends them: it reserves the node
// vector so that prepared pointers stay valid).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/quant/kernels/int_kernels.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

struct RunnerScratch {
  std::vector<double> doubles;
  std::vector<std::int64_t> ints;
};

class CircuitRunner {
 public:
  /// Prepares every node present; tables above max_table_entries (per node) are evaluated
  /// from their function instead.
  CircuitRunner(const QuantizedCircuit& circuit, std::size_t max_table_entries);

  /// Prepares nodes appended since (calibration).
  void prepare_new_nodes();

  /// values[i] = node i evaluated on values of its inputs; image: the float input image
  /// (read by node 0 only). sigma: noise of the node's PBS (0 = exact).
  void eval(std::size_t i, std::vector<IntTensor>& values, const float* image, double sigma, bool use_residual,
            PbsReader& reader, RunnerScratch& scratch) const;

 private:
  const QuantizedCircuit& circuit_;
  std::size_t max_table_entries_;
  std::vector<std::vector<double>> weights_;  // per node (convolutions and linear layers)
  std::vector<PreparedLookup> lookups_;       // per node (lookups and max-pool pairs)
};

/// Number of PBS node i performs on one image.
std::uint64_t node_pbs_count(const QuantizedCircuit& circuit, std::size_t i);

}  // namespace veil::nn::quant
