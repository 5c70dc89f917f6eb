#include "fhe/cpu/cpu_features.hpp"

#include <cstdlib>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe::cpu {

std::string_view cpu_isa_name(CpuIsa isa) {
  switch (isa) {
    case CpuIsa::scalar: return "scalar";
    case CpuIsa::avx2: return "avx2";
    case CpuIsa::avx512: return "avx512";
  }
  return "unknown";
}

CpuIsa supported_cpu_isa() {
#if defined(__x86_64__) && defined(__GNUC__)
  // __builtin_cpu_supports also checks that the OS saves the YMM / ZMM registers (XCR0).
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl")) {
    return CpuIsa::avx512;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return CpuIsa::avx2;
#endif
  return CpuIsa::scalar;
}

CpuIsa choose_cpu_isa(const char* requested, CpuIsa supported) {
  if (requested == nullptr || *requested == '\0') return supported;
  const std::string_view name(requested);
  for (const CpuIsa isa : {CpuIsa::scalar, CpuIsa::avx2, CpuIsa::avx512}) {
    if (name != cpu_isa_name(isa)) continue;
    if (isa > supported) {
      throw InvalidArgument("VEIL_CPU=" + std::string(name) + ": this CPU supports at most " +
                            std::string(cpu_isa_name(supported)));
    }
    return isa;
  }
  throw InvalidArgument("VEIL_CPU=" + std::string(name) +
                        ": expected scalar, avx2 or avx512 (or unset: the best "
                        "this CPU supports)");
}

CpuIsa cpu_isa() {
  static const CpuIsa chosen = choose_cpu_isa(std::getenv("VEIL_CPU"), supported_cpu_isa());
  return chosen;
}

}  // namespace veil::fhe::cpu
