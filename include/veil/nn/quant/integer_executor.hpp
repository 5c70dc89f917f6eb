#pragma once
// Runs a QuantizedCircuit on int64 exactly as the FHE circuit will (the bit-exact oracle
// for the FHE runtime), and the FHE simulation: the same run with a misread drawn at every
// PBS from misread_model.hpp. Convolutions use double-precision GEMM (OpenBLAS dgemm), exact
// because the quantizer keeps every accumulator below 2^53. Images of a batch run in
// parallel, one per thread, so results do not depend on the thread count.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

struct SimulationSettings {
  double p_error = 0.05;                          // per PBS, for nodes not in p_error_by_node
  std::map<std::string, double> p_error_by_node;  // by QNode name (a Lookup or MaxPool2d)
  /// 0: each p_error is that of the node's own read. B > 0: each is that of a B-bit read, and a
  /// node reading b bits draws the same noise, sigma * 2^(b - B) in its index units.
  int p_error_bits = 0;
  std::uint64_t seed = 0;
  RoundingMethod rounding_method = RoundingMethod::Approximate;  // Exact: residual ignored (f = 0)
  /// Std dev, in output integers, of the Gaussian noise the FHE output carries (its linear
  /// tail after the last PBS, e.g. the fc layer); added rounded to each output integer.
  double output_noise_std = 0.0;
};

/// Counts over the images of one simulate() call.
struct SimulationStats {
  std::uint64_t pbs = 0;           // lookups evaluated
  std::uint64_t misreads = 0;      // lookups whose index was moved by the noise
  double expected_misreads = 0.0;  // sum over lookups of the model's misread probability
};

class IntegerExecutor {
 public:
  /// Validates the circuit. threads == 0: all cores. Sets OpenBLAS to one thread.
  explicit IntegerExecutor(QuantizedCircuit circuit, std::size_t threads = 0);

  /// images [N, input shape...] -> dequantized outputs [N, output shape...] (logits).
  void run(const Tensor& images, Tensor& output);

  /// The output integers before dequantization, [N, output shape...].
  void run_integers(const Tensor& images, IntTensor& output);

  /// FHE simulation. Image n of the batch is image number first_image + n for the random
  /// draws, so a run split into batches equals the run in one batch. stats may be null.
  void simulate(const Tensor& images, const SimulationSettings& settings, std::uint64_t first_image, Tensor& output,
                SimulationStats* stats = nullptr);

  const QuantizedCircuit& circuit() const { return circuit_; }
  std::size_t threads() const { return pool_.size(); }

 private:
  void run_batch(const Tensor& images, const SimulationSettings* settings, std::uint64_t first_image, IntTensor& output,
                 SimulationStats* stats);

  QuantizedCircuit circuit_;
  ThreadPool pool_;
};

/// Reads output integers [N, ...] as real numbers with the output node's scale.
void dequantize_output(const QuantizedCircuit& circuit, const IntTensor& integers, Tensor& output);

}  // namespace veil::nn::quant
