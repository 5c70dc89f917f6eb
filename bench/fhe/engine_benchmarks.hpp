#pragma once
// The TFHE engine's benchmark bodies on one parameter set, registered by pbs_bench.cpp (figures
// per vetted set) and pbs_calibration_bench.cpp (the PBS cost model's calibration). Every body
// reports the set's shape (k, N, n, br_l, ks_l) and its keys' generation time and sizes as
// counters. Keys of one set at a time stay in memory (the N = 8192 sets' keys would not all fit
// together), so register each set's benchmarks consecutively.
#include <benchmark/benchmark.h>

#include <initializer_list>
#include <string>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe::bench {

/// One external product of the GLWE (k+1)N with the first GGSW of the bootstrapping key.
void external_product(benchmark::State& state, const ParameterSet* params);
/// One key switch, big key -> small key.
void keyswitch(benchmark::State& state, const ParameterSet* params);
/// range(0) key switches on one thread, grouped so each key row is loaded once; per_ct_us.
void keyswitch_group(benchmark::State& state, const ParameterSet* params);
/// One PBS (key switch included) on one thread, the identity table.
void pbs_latency(benchmark::State& state, const ParameterSet* params);
/// range(0) PBS through the CPU backend's batch path on range(1) threads (1, or all);
/// pbs_per_s and its inverse pbs_us.
void pbs_batch(benchmark::State& state, const ParameterSet* params);

/// Registers the five bodies for `params` under "<prefix>/<body>/<set name>", the batch with
/// `batch` PBS on each thread count of `batch_threads` (0 = all; none: no batch benchmark), timed
/// in CPU time when every count is 1, else in wall time.
void register_engine_benchmarks(const std::string& prefix, const ParameterSet& params, int batch,
                                std::initializer_list<int> batch_threads);

}  // namespace veil::fhe::bench
