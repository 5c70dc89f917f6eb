#include "veil/fhe/lookup_table.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

LookupTable make_lookup_table(PolynomialSize N, int precision_bits, std::span<const Torus> outputs) {
  const std::size_t n = N.value;
  if (precision_bits < 1 || precision_bits > 30 || (n & (n - 1)) != 0 || (std::size_t{2} << precision_bits) > n ||
      outputs.size() != (std::size_t{1} << precision_bits)) {
    throw InvalidArgument("make_lookup_table: precision " + std::to_string(precision_bits) +
                          " bits, N = " + std::to_string(n) + ", " + std::to_string(outputs.size()) +
                          " outputs; expected 2^p outputs, p >= 1 and 2^(p+1) <= N a power of two");
  }
  // Box x covers coefficients [x*box - box/2, x*box + box/2). Coefficients [0, box/2) read
  // entry 0 and the last half box must read entry 0 too, negated, because X^N = -1.
  const std::size_t box = n >> precision_bits;
  const std::size_t half = box / 2;
  std::vector<Torus> polynomial(n);
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t entry = (j + half) / box;
    polynomial[j] = entry < outputs.size() ? outputs[entry] : Torus{0} - outputs[0];
  }
  return LookupTable(precision_bits, std::move(polynomial));
}

LookupTable make_lookup_table(PolynomialSize N, int precision_bits, const std::function<Torus(std::uint64_t)>& output) {
  if (precision_bits < 1 || precision_bits > 30) {
    throw InvalidArgument("make_lookup_table: precision " + std::to_string(precision_bits) + " bits, expected 1..30");
  }
  std::vector<Torus> outputs(std::size_t{1} << precision_bits);
  for (std::size_t x = 0; x < outputs.size(); ++x) outputs[x] = output(x);
  return make_lookup_table(N, precision_bits, outputs);
}

}  // namespace veil::fhe
