// CUDA backend throughput: batched PBS and key switching per vetted set and batch size, keys
// resident on the device (uploaded by an untimed first call). Skipped without a GPU. Compare
// with pbs_bench.cpp's pbs_batch (CPU) on the same sets: --benchmark_filter='pbs_batch'. The
// blind-rotation path follows VEIL_CUDA_PBS (legacy, the default: the cuFFT path; or fused): run it
// once with each (scripts/gpu-run.sh does).
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <string>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/cuda_backend.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

struct Keys {
  ClientKey client;
  ServerKey server;
};

const Keys& keys_for(const ParameterSet& params) {
  static ThreadPool pool;
  static std::map<std::string, std::unique_ptr<Keys>> cache;
  auto& slot = cache[params.name];
  if (!slot) {
    Csprng rng;
    ClientKey client = make_client_key(params, rng);
    ServerKey server = make_server_key(client, rng, pool);
    slot = std::make_unique<Keys>(Keys{std::move(client), std::move(server)});
  }
  return *slot;
}

/// One backend for the whole run, so that keys stay on the device between benchmarks.
Backend* gpu() {
  static const std::unique_ptr<Backend> backend = cuda_backend_available() ? make_cuda_backend() : nullptr;
  return backend.get();
}

LweCiphertextArray encryptions(const Keys& keys, const ParameterSet& params, std::size_t count) {
  Csprng rng;
  LweCiphertextArray in(count, params.big_lwe_dimension());
  for (std::size_t i = 0; i < count; ++i) {
    encrypt_lwe(keys.client, LweKeyKind::big,
                encode_message(static_cast<std::int64_t>(i % 4), params.precision_bits, Signedness::unsigned_code), rng,
                in[i]);
  }
  return in;
}

void set_rate(benchmark::State& state, std::size_t count) {
  const double done = static_cast<double>(count) * static_cast<double>(state.iterations());
  state.counters["per_s"] = benchmark::Counter(done, benchmark::Counter::kIsRate);
  state.counters["per_ct_us"] = benchmark::Counter(done, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// range(0) ciphertexts through the identity table.
void bm_cuda_pbs_batch(benchmark::State& state, const ParameterSet* params) {
  if (gpu() == nullptr) return state.SkipWithError("no GPU visible to the CUDA backend");
  const auto& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  const LweCiphertextArray in = encryptions(keys, *params, count);
  LweCiphertextArray out(count, params->big_lwe_dimension());
  const int bits = params->precision_bits;
  const LookupTable table = make_lookup_table(params->polynomial_size, bits, [bits](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>(x), bits, Signedness::unsigned_code);
  });
  const LookupTable* tables[] = {&table};
  gpu()->programmable_bootstrap_batch(keys.server, in, tables, out);  // uploads the keys
  for (auto _ : state) gpu()->programmable_bootstrap_batch(keys.server, in, tables, out);
  set_rate(state, count);
}

void bm_cuda_keyswitch_batch(benchmark::State& state, const ParameterSet* params) {
  if (gpu() == nullptr) return state.SkipWithError("no GPU visible to the CUDA backend");
  const auto& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  const LweCiphertextArray in = encryptions(keys, *params, count);
  LweCiphertextArray out(count, params->lwe_dimension);
  gpu()->keyswitch_batch(keys.server.keyswitch_key(), in, out);
  for (auto _ : state) gpu()->keyswitch_batch(keys.server.keyswitch_key(), in, out);
  set_rate(state, count);
}

// The encrypted ResNet-18's sets: the vetted one of sessions 3-4 and the parameter optimizer's
// that the compiler chooses since (docs/parameters.md), with the centred modulus switch.
constexpr const char* kResnet18Sets[] = {"v0_128_p5_L14_pe2m40", "opt128_p7_nrm12763_pe0.05_cms_concrete_v0"};

void register_all() {
  const ParameterSet* sets[] = {&vetted_parameter_set(4, ErrorTarget::tight),
                                &vetted_parameter_set(6, ErrorTarget::loose),
                                &vetted_parameter_set(7, ErrorTarget::loose), &parameter_set_by_name(kResnet18Sets[0]),
                                &parameter_set_by_name(kResnet18Sets[1])};
  for (const ParameterSet* s : sets) {
    benchmark::RegisterBenchmark(("cuda_pbs_batch/" + s->name).c_str(), bm_cuda_pbs_batch, s)
        ->Arg(1)
        ->Arg(64)
        ->Arg(1024)
        ->Arg(4096)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("cuda_keyswitch_batch/" + s->name).c_str(), bm_cuda_keyswitch_batch, s)
        ->Arg(4096)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace veil::fhe
