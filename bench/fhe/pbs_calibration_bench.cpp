// Calibration of veil's PBS cost model (docs/parameters.md, "Parameter optimizer";
// tools/fit_pbs_cost_model.py reads the "calibration/..." results): the engine's benchmark bodies
// (engine_benchmarks.hpp) on one thread, the batch of 16 PBS as the runtime runs it, for vetted
// sets that span k, N and both decomposition level counts.
#include "engine_benchmarks.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

// Shapes (k, N, br_l): (5,256,1) (6,256,2) (3,512,3) (2,1024,1) (2,1024,3) (1,2048,1) (1,2048,3)
// (1,4096,1) (1,4096,2) (1,4096,4) (1,8192,1).
constexpr const char* kCalibrationSets[] = {
    "v0_128_p2_L0_pe0.05",  "v0_128_p2_L10_pe0.05", "v0_128_p3_L12_pe0.05", "v0_128_p5_L0_pe0.05",
    "v0_128_p5_L14_pe0.05", "v0_128_p6_L0_pe0.05",  "v0_128_p6_L13_pe0.05", "v0_128_p7_L0_pe0.05",
    "v0_128_p7_L6_pe0.05",  "v0_128_p5_L14_pe2m40", "v0_128_p8_L0_pe0.05",
};

void register_calibration() {
  for (const char* name : kCalibrationSets) {
    bench::register_engine_benchmarks("calibration", parameter_set_by_name(name), 16, {1});
  }
}

const int registered = (register_calibration(), 0);

}  // namespace
}  // namespace veil::fhe
