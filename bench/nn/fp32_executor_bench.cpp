// fp32 ResNet-18 inference throughput (images/s) by batch size and thread count, on a
// seeded random checkpoint (throughput does not depend on the weights' values).
// Peak RSS of the process so far and the CPU time of all threads per image are reported as
// counters; on a shared, loaded machine cpu_ms_per_image is the steadier figure.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cmath>
#include <random>

#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/resnet18.hpp"

namespace {

veil::StateDict random_resnet18_weights() {
  std::mt19937 rng(5);
  veil::StateDict sd;
  for (const auto& [key, shape] : veil::nn::resnet18_state_dict_shapes()) {
    veil::Tensor t(shape);
    const bool variance = key.ends_with("running_var");
    // Weights ~ U(+-1/sqrt(fan_in)) keep activations in a normal range (no denormals).
    const float fan_in = shape.size() > 1 ? static_cast<float>(t.size() / shape[0]) : 1.0f;
    std::uniform_real_distribution<float> dist(variance ? 0.5f : -1.0f / std::sqrt(fan_in),
                                               variance ? 2.0f : 1.0f / std::sqrt(fan_in));
    for (auto& v : t.data) v = dist(rng);
    sd.emplace(key, std::move(t));
  }
  return sd;
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

void BM_Resnet18Fp32(benchmark::State& state) {
  const auto batch = state.range(0);
  const auto threads = static_cast<std::size_t>(state.range(1));
  veil::nn::Graph graph = veil::nn::make_resnet18(random_resnet18_weights());
  veil::nn::fold_batch_norm_inplace(graph);
  veil::nn::Fp32Executor executor(std::move(graph), threads);
  std::mt19937 rng(6);
  std::normal_distribution<float> pixel;
  veil::Tensor images({batch, 3, 224, 224}), logits;
  for (auto& v : images.data) v = pixel(rng);
  executor.run(images, logits);  // warm-up: buffers and OpenBLAS threads
  const double cpu_start = process_cpu_seconds();
  for (auto _ : state) {
    executor.run(images, logits);
    benchmark::DoNotOptimize(logits.data.data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
  state.counters["cpu_ms_per_image"] =
      1e3 * (process_cpu_seconds() - cpu_start) / static_cast<double>(state.iterations() * batch);
}

BENCHMARK(BM_Resnet18Fp32)
    ->ArgNames({"batch", "threads"})
    ->ArgsProduct({{1, 8, 16}, {1, 2}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

}  // namespace
BENCHMARK_MAIN();
