// Calibration of veil's PBS cost model (docs/parameters.md, "Parameter optimizer"): one external
// product, one key switch, one full PBS (key switch included), and a batch of key switches and of
// PBS as the runtime runs them, all on one thread, for vetted sets that span k, N and both
// decomposition level counts. Keys for one set at a time stay in memory.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/external_product.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/keyswitch.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

struct CalibrationKeys {
  std::string name;
  ClientKey client;
  ServerKey server;
};

/// The keys of `params`; the previous set's keys are released first (benchmarks run in order).
const CalibrationKeys& calibration_keys(const ParameterSet& params) {
  static std::unique_ptr<CalibrationKeys> current;
  if (!current || current->name != params.name) {
    current.reset();
    ThreadPool pool;
    Csprng rng;
    ClientKey client = make_client_key(params, rng);
    ServerKey server = make_server_key(client, rng, pool);
    current = std::make_unique<CalibrationKeys>(CalibrationKeys{params.name, std::move(client), std::move(server)});
  }
  return *current;
}

void add_shape_counters(benchmark::State& state, const ParameterSet& p) {
  state.counters["k"] = static_cast<double>(p.glwe_dimension.value);
  state.counters["N"] = static_cast<double>(p.polynomial_size.value);
  state.counters["n"] = static_cast<double>(p.lwe_dimension.value);
  state.counters["br_l"] = static_cast<double>(p.pbs_level.value);
  state.counters["ks_l"] = static_cast<double>(p.ks_level.value);
}

void bm_calibration_external_product(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = calibration_keys(*params);
  const std::size_t glwe = (params->glwe_dimension.value + 1) * params->polynomial_size.value;
  std::vector<Torus> in(glwe, 77), out(glwe, 0);
  std::vector<std::byte> scratch(
      external_product_scratch_size(params->glwe_dimension, params->polynomial_size, params->pbs_level));
  for (auto _ : state) {
    external_product_add(keys.server.bootstrap_key(), 0, in, out, scratch);
    benchmark::DoNotOptimize(out.data());
  }
  add_shape_counters(state, *params);
}

void bm_calibration_keyswitch(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = calibration_keys(*params);
  Csprng rng;
  const auto in = make_lwe_encryption(keys.client, LweKeyKind::big, 0, rng);
  LweCiphertext out(params->lwe_dimension);
  for (auto _ : state) {
    keyswitch(keys.server.keyswitch_key(), in.view(), out.view());
    benchmark::DoNotOptimize(out.view().data());
  }
  add_shape_counters(state, *params);
}

void bm_calibration_pbs(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = calibration_keys(*params);
  Csprng rng;
  const auto in = make_lwe_encryption(keys.client, LweKeyKind::big, 0, rng);
  LweCiphertext out(params->big_lwe_dimension());
  const int bits = params->precision_bits;
  const LookupTable table = make_lookup_table(params->polynomial_size, bits, [bits](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>(x), bits, Signedness::unsigned_code);
  });
  std::vector<std::byte> scratch(pbs_scratch_size(*params));
  for (auto _ : state) {
    programmable_bootstrap(keys.server, in.view(), table, out.view(), scratch);
    benchmark::DoNotOptimize(out.view().data());
  }
  add_shape_counters(state, *params);
}

// The runtime's path: a batch of kBatch PBS on one thread (key switches grouped so that each key
// row is loaded once per group); time is per batch, pbs_us per PBS.
constexpr std::size_t kBatch = 16;

void bm_calibration_pbs_batch(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = calibration_keys(*params);
  static ThreadPool one_thread(1);
  Csprng rng;
  LweCiphertextArray in(kBatch, params->big_lwe_dimension()), out(kBatch, params->big_lwe_dimension());
  for (std::size_t i = 0; i < kBatch; ++i) encrypt_lwe(keys.client, LweKeyKind::big, 0, rng, in[i]);
  const int bits = params->precision_bits;
  const LookupTable table = make_lookup_table(params->polynomial_size, bits, [bits](std::uint64_t x) {
    return encode_message(static_cast<std::int64_t>(x), bits, Signedness::unsigned_code);
  });
  const LookupTable* tables[] = {&table};
  auto backend = make_cpu_backend(one_thread);
  for (auto _ : state) backend->programmable_bootstrap_batch(keys.server, in, tables, out);
  state.counters["pbs_us"] = benchmark::Counter(static_cast<double>(kBatch * state.iterations()),
                                                benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  add_shape_counters(state, *params);
}

void bm_calibration_keyswitch_group(benchmark::State& state, const ParameterSet* params) {
  const auto& keys = calibration_keys(*params);
  Csprng rng;
  LweCiphertextArray in(kBatch, params->big_lwe_dimension()), out(kBatch, params->lwe_dimension);
  for (std::size_t i = 0; i < kBatch; ++i) encrypt_lwe(keys.client, LweKeyKind::big, 0, rng, in[i]);
  std::vector<LweConstView> in_views;
  std::vector<LweView> out_views;
  for (std::size_t i = 0; i < kBatch; ++i) {
    in_views.push_back(in[i]);
    out_views.push_back(out[i]);
  }
  std::vector<std::byte> scratch(keyswitch_group_scratch_size(keys.server.keyswitch_key(), kBatch));
  for (auto _ : state) {
    keyswitch_group(keys.server.keyswitch_key(), in_views, out_views, scratch);
    benchmark::DoNotOptimize(out[0].data());
  }
  state.counters["ks_us"] = benchmark::Counter(static_cast<double>(kBatch * state.iterations()),
                                               benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  add_shape_counters(state, *params);
}

// Shapes (k, N, br_l): (5,256,1) (6,256,2) (3,512,3) (2,1024,1) (2,1024,3) (1,2048,1) (1,2048,3)
// (1,4096,1) (1,4096,2) (1,4096,4) (1,8192,1).
constexpr const char* kCalibrationSets[] = {
    "v0_128_p2_L0_pe0.05",  "v0_128_p2_L10_pe0.05", "v0_128_p3_L12_pe0.05", "v0_128_p5_L0_pe0.05",
    "v0_128_p5_L14_pe0.05", "v0_128_p6_L0_pe0.05",  "v0_128_p6_L13_pe0.05", "v0_128_p7_L0_pe0.05",
    "v0_128_p7_L6_pe0.05",  "v0_128_p5_L14_pe2m40", "v0_128_p8_L0_pe0.05",
};

void register_calibration() {
  for (const char* name : kCalibrationSets) {
    const ParameterSet* s = &parameter_set_by_name(name);
    benchmark::RegisterBenchmark(("calibration/external_product/" + s->name).c_str(), bm_calibration_external_product, s)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("calibration/keyswitch/" + s->name).c_str(), bm_calibration_keyswitch, s)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("calibration/pbs/" + s->name).c_str(), bm_calibration_pbs, s)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("calibration/keyswitch_group/" + s->name).c_str(), bm_calibration_keyswitch_group, s)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("calibration/pbs_batch/" + s->name).c_str(), bm_calibration_pbs_batch, s)
        ->Unit(benchmark::kMillisecond);
  }
}

const int registered = (register_calibration(), 0);

}  // namespace
}  // namespace veil::fhe
