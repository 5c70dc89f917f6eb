// The kernels for AVX2 + FMA: the plain loops, which GCC vectorises under this file's flags
// (-mavx2 -mfma, cmake/VeilLayer.cmake). Gains over the scalar table on the ResNet-18 set:
// docs/benchmarks.md.
#include "fhe/cpu/portable_kernels.hpp"

namespace veil::fhe::cpu {

const CpuKernels& avx2_kernels() {
  static constexpr CpuKernels table = portable_kernel_table(CpuIsa::avx2);
  return table;
}

}  // namespace veil::fhe::cpu
