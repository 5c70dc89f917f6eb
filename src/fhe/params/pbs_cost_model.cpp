// The optimizer's two cost models of one PBS (docs/parameters.md, "Parameter optimizer").
#include <cmath>
#include <string>

#include "fhe/params/optimizer_search.hpp"
#include "veil/common/error.hpp"

namespace veil::fhe::params {
namespace {

// Concrete's v0 objective, written from the operation counts it prices (zama-ai/concrete
// compilers/concrete-optimizer/concrete-optimizer/src/computing_cost/operators/{cmux,pbs,
// keyswitch_lwe}.rs and computing_cost/fft.rs; optimization/atomic_pattern.rs adds the dot product;
// v0-parameters/src/lib.rs prints complexity / 2^20 as the table's cost).
constexpr double kConcreteDotProductTerms = 4096;  // the v0 tool's sum_size
constexpr double kConcreteCostUnit = 1024.0 * 1024.0;

double concrete_v0_cost(const PbsShape& s) {
  const double N = std::exp2(s.log2_N);
  const double glwe_size = s.k + 1;
  const double big_dimension = s.k * N;
  const double levels = s.br_l;
  // A forward or inverse FFT of N: N·log2 N butterflies and one linear pass.
  const double fft = N * s.log2_N + N;
  const double cmux = glwe_size * levels * fft + glwe_size * fft + glwe_size * glwe_size * levels * N;
  const double blind_rotation = s.n * cmux;
  // Key switch: one decomposition per input coefficient and level, then a multiply-add of a
  // key row of n + 1 per digit.
  const double digits = big_dimension * s.ks_l;
  const double output_size = s.n + 1.0;
  const double keyswitch = digits + digits * output_size + (digits - 1) * output_size + 1;
  const double dot_product = kConcreteDotProductTerms * big_dimension;
  return (dot_product + keyswitch + blind_rotation) / kConcreteCostUnit;
}

// veil's own: CPU µs of one PBS on one core in the runtime's batch path = n·CMux + key switch, with
//   CMux = a·(k+1)(l+1)·N·log2 N (forward and inverse FFTs) + b·(k+1)²·l·N (Fourier MACs, which
//          also stream the bootstrapping key)
//   key switch = c·k·N·l_ks·(n+1) (multiply-adds over the key rows, grouped as the runtime does)
// c fitted on calibration/keyswitch_group, then a and b on calibration/pbs_batch
// (bench/fhe/pbs_calibration_bench.cpp, tools/fit_pbs_cost_model.py); the figures are in
// docs/parameters.md ("veil's cost model": 11 vetted sets, rms error 5%).
constexpr double kVeilFftMicroseconds = 8.5269e-5;
constexpr double kVeilMacMicroseconds = 1.3994e-4;
constexpr double kVeilKeyswitchMicroseconds = 9.8861e-5;

double veil_cpu_cost(const PbsShape& s) {
  const double N = std::exp2(s.log2_N);
  const double glwe_size = s.k + 1;
  const double cmux = kVeilFftMicroseconds * glwe_size * (s.br_l + 1) * N * s.log2_N +
                      kVeilMacMicroseconds * glwe_size * glwe_size * s.br_l * N;
  const double keyswitch = kVeilKeyswitchMicroseconds * s.k * N * s.ks_l * (s.n + 1.0);
  return s.n * cmux + keyswitch;
}

}  // namespace

double shape_cost(const PbsShape& shape, CostModel model) {
  switch (model) {
    case CostModel::concrete_v0: return concrete_v0_cost(shape);
    case CostModel::veil_cpu: return veil_cpu_cost(shape);
  }
  throw InvalidArgument("unknown cost model " + std::to_string(static_cast<int>(model)));
}

}  // namespace veil::fhe::params

namespace veil::fhe {

std::string_view cost_model_name(CostModel model) {
  switch (model) {
    case CostModel::concrete_v0: return "concrete_v0";
    case CostModel::veil_cpu: return "veil_cpu";
  }
  throw InvalidArgument("unknown cost model " + std::to_string(static_cast<int>(model)));
}

double pbs_cost(const ParameterSet& params, CostModel model) {
  const std::size_t N = params.polynomial_size.value;
  if (N == 0 || (N & (N - 1)) != 0) {
    throw InvalidArgument("polynomial size is " + std::to_string(N) + ", expected a power of two");
  }
  const params::PbsShape shape{static_cast<int>(params.glwe_dimension.value), static_cast<int>(std::log2(N)),
                               static_cast<int>(params.lwe_dimension.value), static_cast<int>(params.pbs_level.value),
                               static_cast<int>(params.ks_level.value)};
  return params::shape_cost(shape, model);
}

}  // namespace veil::fhe
