#include "fhe/commons/negacyclic_reference.hpp"

#include <algorithm>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

void negacyclic_multiply_reference(std::span<const Torus> a, std::span<const Torus> b, std::span<Torus> out) {
  const std::size_t n = a.size();
  if (b.size() != n || out.size() != n) {
    throw InvalidArgument("negacyclic_multiply_reference: sizes " + std::to_string(a.size()) + ", " +
                          std::to_string(b.size()) + ", " + std::to_string(out.size()) + ", expected all equal");
  }
  std::fill(out.begin(), out.end(), Torus{0});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const Torus product = a[i] * b[j];
      if (i + j < n) {
        out[i + j] += product;
      } else {
        out[i + j - n] -= product;  // X^N = -1
      }
    }
  }
}

}  // namespace veil::fhe
