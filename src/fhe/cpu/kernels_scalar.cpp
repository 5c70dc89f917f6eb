// The kernels for baseline x86-64 (or any other CPU): the plain loops, no ISA flags.
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

const CpuKernels& scalar_kernels() {
  static constexpr CpuKernels table = portable_kernel_table(CpuIsa::scalar);
  return table;
}

}  // namespace veil::fhe::cpu
