#include "veil/fhe/modulus_switch.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

void modulus_switch(LweConstView in, PolynomialSize N, std::span<Torus> out) {
  if (in.size() != out.size() || N.value < 2 || (N.value & (N.value - 1)) != 0) {
    throw InvalidArgument("modulus_switch: input of " + std::to_string(in.size()) + " values, output of " +
                          std::to_string(out.size()) + ", N = " + std::to_string(N.value) +
                          "; expected equal sizes and N a power of two >= 2");
  }
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = modulus_switch_value(in[i], N);
}

}  // namespace veil::fhe
