#include "compiler/small_network.hpp"

#include <map>
#include <mutex>
#include <tuple>

#include "veil/common/thread_pool.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::compiler::testing {

const nn::quant::QuantizedCircuit& small_network(nn::quant::QuantizationMode mode, std::optional<int> rounding_bits,
                                                 int n_bits) {
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int>, nn::quant::QuantizedCircuit> cache;
  const std::lock_guard lock(mutex);
  const auto key = std::make_tuple(static_cast<int>(mode), rounding_bits.value_or(0), n_bits);
  auto it = cache.find(key);
  if (it == cache.end()) {
    nn::quant::QuantizationConfig config;
    config.mode = mode;
    config.n_bits = n_bits == 8 ? nn::quant::NBits{} : nn::quant::NBits::uniform(n_bits);
    config.rounding_bits = rounding_bits;
    ThreadPool pool(2);
    const nn::Graph graph = nn::make_small_resnet(11, kSmallInputSize);
    const Tensor calibration = nn::make_small_images(16, 12, kSmallInputSize);
    it = cache.emplace(key, nn::quant::make_quantized_circuit(graph, calibration, config, pool)).first;
  }
  return it->second;
}

Tensor small_network_images(std::int64_t n) { return nn::make_small_images(n, 13, kSmallInputSize); }

}  // namespace veil::compiler::testing
