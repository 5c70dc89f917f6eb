#include "fhe/cpu/multi_dot.hpp"

#include "fhe/cpu/cpu_kernels.hpp"

namespace veil::fhe::cpu {

void multi_dot_product(std::span<const Torus* const> inputs, const std::int64_t* weights, std::span<Torus* const> out,
                       std::size_t size) {
  cpu_kernels().multi_dot(inputs.data(), inputs.size(), weights, out.data(), out.size(), size);
}

}  // namespace veil::fhe::cpu
