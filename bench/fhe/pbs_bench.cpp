// TFHE engine benchmarks: the FFT, then per vetted set an external product, key switching, the
// PBS latency (one thread) and batch PBS throughput (engine_benchmarks.hpp), keys built once per
// set with their generation time and sizes as counters.
#include <benchmark/benchmark.h>

#include "engine_benchmarks.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

void bm_fft_round_trip(benchmark::State& state) {
  const PolynomialSize N(static_cast<std::size_t>(state.range(0)));
  const NegacyclicFft& fft = NegacyclicFft::for_size(N);
  AlignedVector<Torus> poly(N.value, 12345), out(N.value);
  AlignedVector<double> fourier(N.value);
  for (auto _ : state) {
    fft.forward(poly.data(), fourier.data());
    fft.backward(fourier.data(), out.data());
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(bm_fft_round_trip)->RangeMultiplier(2)->Range(256, 32768)->Unit(benchmark::kMicrosecond);

void register_all() {
  for (int p = 1; p <= 8; ++p) {
    // Batch throughput (32 PBS on one thread and on all) where the runtime's sets sit: p 6 and 7.
    const bool batch = p == 6 || p == 7;
    bench::register_engine_benchmarks("engine", vetted_parameter_set(p, ErrorTarget::loose), 32,
                                      batch ? std::initializer_list<int>{1, 0} : std::initializer_list<int>{});
  }
  for (int p = 6; p <= 8; ++p) {
    bench::register_engine_benchmarks("engine", vetted_parameter_set(p, ErrorTarget::tight), 32, {});
  }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace veil::fhe

BENCHMARK_MAIN();
