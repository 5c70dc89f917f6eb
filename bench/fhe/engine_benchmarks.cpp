#include "engine_benchmarks.hpp"

#include <chrono>
#include <memory>
#include <vector>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/external_product.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/keyswitch.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe::bench {
namespace {

struct BenchKeys {
  std::string name;
  ClientKey client;
  ServerKey server;
  double keygen_seconds = 0;
};

ThreadPool& all_threads() {
  static ThreadPool pool;
  return pool;
}

ThreadPool& threads(std::int64_t count) {
  static ThreadPool one(1);
  return count == 1 ? one : all_threads();
}

/// The keys of `params`; the previous set's keys are released first.
const BenchKeys& keys_for(const ParameterSet& params) {
  static std::unique_ptr<BenchKeys> current;
  if (!current || current->name != params.name) {
    current.reset();
    Csprng rng;
    const auto start = std::chrono::steady_clock::now();
    ClientKey client = make_client_key(params, rng);
    ServerKey server = make_server_key(client, rng, all_threads());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    current = std::make_unique<BenchKeys>(BenchKeys{params.name, std::move(client), std::move(server), seconds});
  }
  return *current;
}

void add_counters(benchmark::State& state, const ParameterSet& p, const BenchKeys& keys) {
  state.counters["k"] = static_cast<double>(p.glwe_dimension.value);
  state.counters["N"] = static_cast<double>(p.polynomial_size.value);
  state.counters["n"] = static_cast<double>(p.lwe_dimension.value);
  state.counters["br_l"] = static_cast<double>(p.pbs_level.value);
  state.counters["ks_l"] = static_cast<double>(p.ks_level.value);
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

LweCiphertextArray encryptions_of_zero(const BenchKeys& keys, const ParameterSet& params, std::size_t count) {
  Csprng rng;
  LweCiphertextArray out(count, params.big_lwe_dimension());
  for (std::size_t i = 0; i < count; ++i) encrypt_lwe(keys.client, LweKeyKind::big, 0, rng, out[i]);
  return out;
}

benchmark::Counter per_item_us(benchmark::State& state, std::size_t items) {
  return benchmark::Counter(static_cast<double>(items) * static_cast<double>(state.iterations()) / 1e6,
                            benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

}  // namespace

void external_product(benchmark::State& state, const ParameterSet* params) {
  const BenchKeys& keys = keys_for(*params);
  const std::size_t glwe = (params->glwe_dimension.value + 1) * params->polynomial_size.value;
  std::vector<Torus> in(glwe, 77), out(glwe, 0);
  std::vector<std::byte> scratch(
      external_product_scratch_size(params->glwe_dimension, params->polynomial_size, params->pbs_level));
  for (auto _ : state) {
    external_product_add(keys.server.bootstrap_key(), 0, in, out, scratch);
    benchmark::DoNotOptimize(out.data());
  }
  add_counters(state, *params, keys);
}

void keyswitch(benchmark::State& state, const ParameterSet* params) {
  const BenchKeys& keys = keys_for(*params);
  const LweCiphertextArray in = encryptions_of_zero(keys, *params, 1);
  LweCiphertext out(params->lwe_dimension);
  for (auto _ : state) {
    fhe::keyswitch(keys.server.keyswitch_key(), in[0], out.view());
    benchmark::DoNotOptimize(out.view().data());
  }
  add_counters(state, *params, keys);
}

void keyswitch_group(benchmark::State& state, const ParameterSet* params) {
  const BenchKeys& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  const LweCiphertextArray in = encryptions_of_zero(keys, *params, count);
  LweCiphertextArray out(count, params->lwe_dimension);
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
  state.counters["per_ct_us"] = per_item_us(state, count);
  add_counters(state, *params, keys);
}

void pbs_latency(benchmark::State& state, const ParameterSet* params) {
  const BenchKeys& keys = keys_for(*params);
  const LweCiphertextArray in = encryptions_of_zero(keys, *params, 1);
  LweCiphertext out(params->big_lwe_dimension());
  const LookupTable table = identity_table(*params);
  std::vector<std::byte> scratch(pbs_scratch_size(*params));
  for (auto _ : state) {
    programmable_bootstrap(keys.server, in[0], table, out.view(), scratch);
    benchmark::DoNotOptimize(out.view().data());
  }
  add_counters(state, *params, keys);
}

void pbs_batch(benchmark::State& state, const ParameterSet* params) {
  const BenchKeys& keys = keys_for(*params);
  const auto count = static_cast<std::size_t>(state.range(0));
  ThreadPool& pool = threads(state.range(1));
  const LweCiphertextArray in = encryptions_of_zero(keys, *params, count);
  LweCiphertextArray out(count, params->big_lwe_dimension());
  const LookupTable table = identity_table(*params);
  const LookupTable* tables[] = {&table};
  const auto backend = make_cpu_backend(pool);
  for (auto _ : state) backend->programmable_bootstrap_batch(keys.server, in, tables, out);
  state.counters["pbs_per_s"] = benchmark::Counter(static_cast<double>(count) * static_cast<double>(state.iterations()),
                                                   benchmark::Counter::kIsRate);
  state.counters["pbs_us"] = per_item_us(state, count);
  state.counters["threads"] = static_cast<double>(pool.size());
  add_counters(state, *params, keys);
}

void register_engine_benchmarks(const std::string& prefix, const ParameterSet& params, int batch,
                                std::initializer_list<int> batch_threads) {
  const ParameterSet* p = &params;
  const std::string name = "/" + params.name;
  benchmark::RegisterBenchmark((prefix + "/pbs" + name).c_str(), pbs_latency, p)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark((prefix + "/external_product" + name).c_str(), external_product, p)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark((prefix + "/keyswitch" + name).c_str(), keyswitch, p)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark((prefix + "/keyswitch_group" + name).c_str(), keyswitch_group, p)
      ->Arg(16)
      ->Arg(64)
      ->Unit(benchmark::kMicrosecond);
  if (batch_threads.size() == 0) return;
  auto* b = benchmark::RegisterBenchmark((prefix + "/pbs_batch" + name).c_str(), pbs_batch, p);
  bool several_threads = false;
  for (const int t : batch_threads) {
    b->Args({batch, t == 0 ? static_cast<int>(all_threads().size()) : t});
    several_threads |= t != 1;
  }
  b->Unit(benchmark::kMillisecond);
  // One thread: CPU time (what the cost model is fitted on); several: wall time.
  if (several_threads) b->UseRealTime();
}

}  // namespace veil::fhe::bench
