#include "veil/fhe/sample_extraction.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

void extract_sample(std::span<const Torus> glwe, GlweDimension k, PolynomialSize N, std::size_t index, LweView out) {
  const std::size_t n = N.value;
  if (glwe.size() != (k.value + 1) * n || out.size() != k.value * n + 1 || index >= n) {
    throw InvalidArgument("extract_sample: GLWE of " + std::to_string(glwe.size()) + " values, LWE of " +
                          std::to_string(out.size()) + ", index " + std::to_string(index) + "; expected " +
                          std::to_string((k.value + 1) * n) + ", " + std::to_string(k.value * n + 1) + " and < " +
                          std::to_string(n) + " (k=" + std::to_string(k.value) + ", N=" + std::to_string(n) + ")");
  }
  // Coefficient `index` of A_i * S_i is sum_{j<=index} A_i[index-j] S_i[j] - sum_{j>index} A_i[N+index-j] S_i[j].
  for (std::size_t i = 0; i < k.value; ++i) {
    const Torus* a = glwe.data() + i * n;
    Torus* mask = out.data() + i * n;
    for (std::size_t j = 0; j <= index; ++j) mask[j] = a[index - j];
    for (std::size_t j = index + 1; j < n; ++j) mask[j] = Torus{0} - a[n + index - j];
  }
  out[k.value * n] = glwe[k.value * n + index];
}

}  // namespace veil::fhe
