#pragma once
// Which instruction set the CPU backend's hot kernels run on (FFT, Fourier multiply-accumulate,
// decomposition, key switch, multi-dot), chosen once per process: the best the CPU supports,
// capped by the environment variable VEIL_CPU (scalar | avx2 | avx512). One binary built for
// baseline x86-64 thus runs everywhere and at full speed where AVX2 or AVX-512 exist.
#include <string_view>

namespace veil::fhe::cpu {

/// Ordered: each level includes the ones below it.
enum class CpuIsa { scalar, avx2, avx512 };

/// "scalar", "avx2", "avx512".
std::string_view cpu_isa_name(CpuIsa isa);

/// The best level this CPU and its operating system support (AVX2 means AVX2 + FMA; AVX-512
/// means F, DQ, BW and VL).
CpuIsa supported_cpu_isa();

/// The level to run for a VEIL_CPU value (null or empty: `supported`). Throws InvalidArgument,
/// naming the value, for an unknown name or a level above `supported`.
CpuIsa choose_cpu_isa(const char* requested, CpuIsa supported);

/// choose_cpu_isa(getenv("VEIL_CPU"), supported_cpu_isa()), computed on the first call (which
/// throws if VEIL_CPU is invalid; later calls retry).
CpuIsa cpu_isa();

}  // namespace veil::fhe::cpu
