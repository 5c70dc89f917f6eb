// Linear-layer throughput (Backend::linear_batch) on rows shaped like the encrypted ResNet-18's
// at k*N = 4096: a layer1 conv row (56 positions x 64 channels x 576 terms), a layer4 conv row
// (7 x 512 x 4,608) and a residual join (56 x 64 elements, 2 terms). The CPU backend on all
// cores and the CUDA backend (skipped without a GPU), whose time includes the upload of the
// inputs and the download of the outputs. Counters: mul_add_per_s (ciphertext values
// multiply-added per second), outputs_per_s.
#include <benchmark/benchmark.h>

#include <memory>

#include "fhe/linear_batch_cases.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/cuda_backend.hpp"

namespace veil::fhe {
namespace {

constexpr LweDimension kDimension{4096};

struct Row {
  const char* name;
  std::uint32_t positions, channels_in, channels_out;  // conv rows; channels_in 0: the join
};
constexpr Row kRows[] = {{"layer1_conv_row", 56, 64, 64}, {"layer4_conv_row", 7, 512, 512}, {"join_row", 56, 0, 64}};

testing::LinearCase make_row(const Row& r) {
  if (r.channels_in == 0) return testing::elementwise_case(5, kDimension, r.positions * r.channels_out, 2);
  return testing::conv_like_case(5, kDimension, r.positions, r.channels_in, r.channels_out);
}

Backend* backend(bool cuda) {
  static ThreadPool pool;
  static const std::unique_ptr<Backend> cpu = make_cpu_backend(pool);
  static const std::unique_ptr<Backend> gpu = cuda_backend_available() ? make_cuda_backend() : nullptr;
  return cuda ? gpu.get() : cpu.get();
}

void bm_linear_batch(benchmark::State& state, const Row* row, bool cuda) {
  Backend* b = backend(cuda);
  if (b == nullptr) return state.SkipWithError("no GPU visible to the CUDA backend");
  const testing::LinearCase c = make_row(*row);
  LweCiphertextArray out(c.outputs, c.dimension);
  b->linear_batch(c.batch, out);  // first call: device buffers
  for (auto _ : state) b->linear_batch(c.batch, out);
  double mul_adds = 0;
  for (std::size_t g = 0; g < c.batch.groups(); ++g) {
    mul_adds += static_cast<double>(c.batch.group_terms[g + 1] - c.batch.group_terms[g]) *
                (c.batch.group_outputs[g + 1] - c.batch.group_outputs[g]);
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["mul_add_per_s"] = benchmark::Counter(
      mul_adds * static_cast<double>(kDimension.value + 1) * iterations, benchmark::Counter::kIsRate);
  state.counters["outputs_per_s"] =
      benchmark::Counter(static_cast<double>(c.outputs) * iterations, benchmark::Counter::kIsRate);
}

void register_all() {
  for (const Row& r : kRows) {
    for (const bool cuda : {false, true}) {
      benchmark::RegisterBenchmark((std::string("linear_batch/") + (cuda ? "cuda/" : "cpu/") + r.name).c_str(),
                                   bm_linear_batch, &r, cuda)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
  }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace veil::fhe
