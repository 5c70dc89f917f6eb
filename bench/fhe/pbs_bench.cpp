// TFHE engine benchmarks: FFT, external product, key switching, PBS latency (one thread) and
// batch PBS throughput (all threads), per vetted parameter set. Keys are built once per set;
// their generation time and sizes are reported as counters.
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/external_product.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/keyswitch.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

struct BenchKeys {
  ClientKey client;
  ServerKey server;
  double keygen_seconds = 0;
};

ThreadPool& pool() {
  static ThreadPool p;
  return p;
}

ThreadPool& pool_of(std::size_t threads) {
  static ThreadPool one(1);
  return threads == 1 ? one : pool();
}

const BenchKeys& keys_for(const ParameterSet& params) {
  static std::map<std::string, std::unique_ptr<BenchKeys>> cache;
  auto& slot = cache[params.name];
  if (!slot) {
    Csprng rng;
    const auto start = std::chrono::steady_clock::now();
    ClientKey client = make_client_key(params, rng);
    ServerKey server = make_server_key(client, rng, pool());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    slot = std::make_unique<BenchKeys>(BenchKeys{std::move(client), std::move(server), seconds});
  }
  return *slot;
}

void add_key_counters(benchmark::State& state, const BenchKeys& keys) {
  state.counters["keygen_s"] = keys.keygen_seconds;
  state.counters["bsk_MB"] = static_cast<double>(keys.server.bootstrap_key().size_bytes()) / 1e6;
  state.counters["ksk_MB"] = static_cast<double>(keys.server.keyswitch_key().size_bytes()) / 1e6;
}

LookupTable identity_table(const ParameterSet& p) {
  const int bits = p.precision_bits;
  return make_lookup_table(p.polynomial_size, bits, [bits](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>(x), bits, Signedness::unsigned_code);
  });
}

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

void bm_external_product(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = keys_for(*params);
  const auto& bsk = keys.server.bootstrap_key();
  const std::size_t glwe = (params->glwe_dimension.value + 1) * params->polynomial_size.value;
  std::vector<Torus> in(glwe, 77), out(glwe, 0);
  std::vector<std::byte> scratch(external_product_scratch_size(params->glwe_dimension, params->polynomial_size, params->pbs_level));
  for (auto _ : state) {
    external_product_add(bsk, 0, in, out, scratch);
    benchmark::DoNotOptimize(out.data());
  }
}

void bm_keyswitch(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = keys_for(*params);
  Csprng rng;
  const auto in = make_lwe_encryption(keys.client, LweKeyKind::big, 0, rng);
  LweCiphertext out(params->lwe_dimension);
  for (auto _ : state) {
    keyswitch(keys.server.keyswitch_key(), in.view(), out.view());
    benchmark::DoNotOptimize(out.view().data());
  }
}

// One thread, a group of range(0) ciphertexts sharing each key row; time is per group.
void bm_keyswitch_group(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  Csprng rng;
  LweCiphertextArray in(count, params->big_lwe_dimension()), out(count, params->lwe_dimension);
  for (std::size_t i = 0; i < count; ++i) encrypt_lwe(keys.client, LweKeyKind::big, 0, rng, in[i]);
  std::vector<LweConstView> in_views;
  std::vector<LweView> out_views;
  for (std::size_t i = 0; i < count; ++i) {
    in_views.push_back(in[i]);
    out_views.push_back(out[i]);
  }
  std::vector<std::byte> scratch(keyswitch_group_scratch_size(keys.server.keyswitch_key(), count));
  for (auto _ : state) {
    keyswitch_group(keys.server.keyswitch_key(), in_views, out_views, scratch);
    benchmark::DoNotOptimize(out[0].data());
  }
  state.counters["per_ct_us"] = benchmark::Counter(static_cast<double>(state.iterations() * count),
                                                   benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void bm_pbs_latency(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = keys_for(*params);
  add_key_counters(state, keys);
  Csprng rng;
  const auto in = make_lwe_encryption(keys.client, LweKeyKind::big, 0, rng);
  LweCiphertext out(params->big_lwe_dimension());
  const LookupTable table = identity_table(*params);
  std::vector<std::byte> scratch(pbs_scratch_size(*params));
  for (auto _ : state) {
    programmable_bootstrap(keys.server, in.view(), table, out.view(), scratch);
    benchmark::DoNotOptimize(out.view().data());
  }
}

// Throughput of the batch API (range(0) ciphertexts on range(1) threads): groups share
// key-switching rows and GGSW loads.
void bm_pbs_batch(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  ThreadPool& threads = pool_of(static_cast<std::size_t>(state.range(1)));
  Csprng rng;
  LweCiphertextArray in(count, params->big_lwe_dimension()), out(count, params->big_lwe_dimension());
  for (std::size_t i = 0; i < count; ++i) encrypt_lwe(keys.client, LweKeyKind::big, 0, rng, in[i]);
  const LookupTable table = identity_table(*params);
  const LookupTable* tables[] = {&table};
  auto backend = make_cpu_backend(threads);
  for (auto _ : state) backend->programmable_bootstrap_batch(keys.server, in, tables, out);
  state.counters["pbs_per_s"] =
      benchmark::Counter(static_cast<double>(count) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(threads.size());
}

void register_all() {
  std::vector<const ParameterSet*> sets;
  for (int p = 1; p <= 8; ++p) sets.push_back(&vetted_parameter_set(p, ErrorTarget::loose));
  for (int p = 6; p <= 8; ++p) sets.push_back(&vetted_parameter_set(p, ErrorTarget::tight));
  for (const ParameterSet* s : sets) {
    benchmark::RegisterBenchmark(("pbs_latency/" + s->name).c_str(), bm_pbs_latency, s)->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  for (const ParameterSet* s : sets) {
    benchmark::RegisterBenchmark(("external_product/" + s->name).c_str(), bm_external_product, s)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("keyswitch/" + s->name).c_str(), bm_keyswitch, s)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("keyswitch_group/" + s->name).c_str(), bm_keyswitch_group, s)
        ->Arg(16)->Unit(benchmark::kMicrosecond);
  }
  for (int p : {6, 7}) {
    const ParameterSet* s = &vetted_parameter_set(p, ErrorTarget::loose);
    benchmark::RegisterBenchmark(("pbs_batch/" + s->name).c_str(), bm_pbs_batch, s)
        ->Args({32, 1})->Args({32, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
  }
}

const int registered = (register_all(), 0);

}  // namespace
}  // namespace veil::fhe

BENCHMARK_MAIN();
