// Quantized ResNet-18 throughput: clear integer execution and FHE simulation (images/s)
// for the reference-compatible and improved modes, with the PBS count per image as a
// counter. Seeded random weights and images (throughput does not depend on their values);
// 4 calibration images keep the setup short.
#include <benchmark/benchmark.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>

#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/pbs_account.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/resnet18.hpp"

namespace {

using namespace veil::nn::quant;

veil::Tensor random_tensor(const veil::Shape& shape, std::mt19937& rng, float lo, float hi) {
  veil::Tensor t(shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (auto& v : t.data) v = dist(rng);
  return t;
}

const QuantizedCircuit& circuit(QuantizationMode mode) {
  static std::map<QuantizationMode, std::unique_ptr<QuantizedCircuit>> cache;
  auto& slot = cache[mode];
  if (!slot) {
    std::mt19937 rng(5);
    veil::StateDict sd;
    for (const auto& [key, shape] : veil::nn::resnet18_state_dict_shapes()) {
      const bool variance = key.ends_with("running_var");
      const float fan_in = shape.size() > 1 ? static_cast<float>(veil::element_count(shape) / shape[0]) : 1.0f;
      const float bound = 1.0f / std::sqrt(fan_in);
      sd.emplace(key, random_tensor(shape, rng, variance ? 0.5f : -bound, variance ? 2.0f : bound));
    }
    veil::nn::Graph g = veil::nn::make_resnet18(sd);
    veil::nn::fold_batch_norm_inplace(g);
    QuantizationConfig config;
    config.mode = mode;
    veil::ThreadPool pool(0);
    slot = std::make_unique<QuantizedCircuit>(
        make_quantized_circuit(g, random_tensor({4, 3, 224, 224}, rng, -2.0f, 2.0f), config, pool));
  }
  return *slot;
}

// Args: mode (0 reference-compatible, 1 improved), simulate (0/1), batch.
void BM_QuantizedResnet18(benchmark::State& state) {
  const auto mode = state.range(0) ? QuantizationMode::Improved : QuantizationMode::ReferenceCompatible;
  const bool simulate = state.range(1) != 0;
  const std::int64_t batch = state.range(2);
  IntegerExecutor executor(circuit(mode), 0);
  std::mt19937 rng(9);
  const veil::Tensor images = random_tensor({batch, 3, 224, 224}, rng, -2.0f, 2.0f);
  veil::Tensor out;
  SimulationSettings settings;  // p_error 0.05
  std::uint64_t first = 0;
  for (auto _ : state) {
    if (simulate) {
      executor.simulate(images, settings, first, out);
      first += static_cast<std::uint64_t>(batch);
    } else {
      executor.run(images, out);
    }
    benchmark::DoNotOptimize(out.data.data());
  }
  const PbsAccount account = make_pbs_account(executor.circuit());
  state.counters["images_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.counters["pbs_per_image"] = static_cast<double>(account.total);
  state.counters["threads"] = static_cast<double>(executor.threads());
}

BENCHMARK(BM_QuantizedResnet18)
    ->ArgNames({"improved", "simulate", "batch"})
    ->Args({0, 0, 4})
    ->Args({1, 0, 4})
    ->Args({0, 1, 4})
    ->Args({1, 1, 4})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
