#include "fhe/cpu/cpu_kernels.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe::cpu {

const CpuKernels& cpu_kernels_for(CpuIsa isa) {
  if (isa > supported_cpu_isa()) {
    throw InvalidArgument("cpu_kernels_for: this CPU lacks " + std::string(cpu_isa_name(isa)));
  }
  switch (isa) {
#if defined(__x86_64__)
    case CpuIsa::avx512: return avx512_kernels();
    case CpuIsa::avx2: return avx2_kernels();
#endif
    default: return scalar_kernels();
  }
}

const CpuKernels& cpu_kernels() {
  static const CpuKernels& chosen = cpu_kernels_for(cpu_isa());
  return chosen;
}

}  // namespace veil::fhe::cpu
