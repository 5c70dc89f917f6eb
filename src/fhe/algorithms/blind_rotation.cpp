#include "veil/fhe/blind_rotation.hpp"

#include <algorithm>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/external_product.hpp"

namespace veil::fhe {

namespace {
void check_switched(const FourierBootstrapKey& bsk, std::span<const Torus> switched, const LookupTable& table) {
  const std::size_t n = bsk.input_lwe_dimension().value;
  if (switched.size() != n + 1 || table.polynomial_size() != bsk.polynomial_size()) {
    throw InvalidArgument("blind_rotate: switched LWE of " + std::to_string(switched.size()) +
                          " values, table of N = " + std::to_string(table.polynomial_size().value) + "; expected " +
                          std::to_string(n + 1) + " values and N = " + std::to_string(bsk.polynomial_size().value));
  }
}

// acc = (0, ..., 0, X^(-body) * table).
void load_rotated_table(const LookupTable& table, Torus body, std::size_t k, std::span<Torus> acc) {
  const std::size_t n = table.polynomial_size().value;
  std::fill(acc.begin(), acc.begin() + static_cast<std::ptrdiff_t>(k * n), Torus{0});
  Torus* out = acc.data() + k * n;
  const Torus* lut = table.polynomial().data();
  const std::size_t shift = body % (2 * n);  // X^(-shift): coefficient j reads lut[j + shift]
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t src = j + shift;
    bool negate = false;
    while (src >= n) {
      src -= n;
      negate = !negate;
    }
    out[j] = negate ? Torus{0} - lut[src] : lut[src];
  }
}
}  // namespace

std::size_t blind_rotation_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level) {
  return cmux_scratch_size(k, N, level);
}

void blind_rotate(const FourierBootstrapKey& bsk, std::span<const Torus> switched, const LookupTable& table,
                  std::span<Torus> acc, std::span<std::byte> scratch) {
  check_switched(bsk, switched, table);
  const std::size_t n = bsk.input_lwe_dimension().value;
  const std::size_t k = bsk.glwe_dimension().value;
  if (acc.size() != (k + 1) * bsk.polynomial_size().value) {
    throw InvalidArgument("blind_rotate: accumulator of " + std::to_string(acc.size()) + " values, expected " +
                          std::to_string((k + 1) * bsk.polynomial_size().value));
  }
  load_rotated_table(table, switched[n], k, acc);
  for (std::size_t t = 0; t < n; ++t) {
    if (switched[t] != 0) cmux_rotate_inplace(bsk, t, switched[t], acc, scratch);
  }
}

std::size_t blind_rotation_group_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level) {
  return cmux_scratch_size(k, N, level);
}

void blind_rotate_group(const FourierBootstrapKey& bsk, std::span<const std::span<const Torus>> switched,
                        std::span<const LookupTable* const> tables, std::span<Torus> accs,
                        std::span<std::byte> scratch) {
  const std::size_t count = switched.size();
  const std::size_t n = bsk.input_lwe_dimension().value;
  const std::size_t glwe_size = (bsk.glwe_dimension().value + 1) * bsk.polynomial_size().value;
  if (tables.size() != count || accs.size() != count * glwe_size) {
    throw InvalidArgument("blind_rotate_group: " + std::to_string(count) + " inputs, " + std::to_string(tables.size()) +
                          " tables, accumulators of " + std::to_string(accs.size()) +
                          " values; expected one table per input and " + std::to_string(count * glwe_size) + " values");
  }
  for (std::size_t g = 0; g < count; ++g) {
    check_switched(bsk, switched[g], *tables[g]);
    load_rotated_table(*tables[g], switched[g][n], bsk.glwe_dimension().value, accs.subspan(g * glwe_size, glwe_size));
  }
  // Key-major order: GGSW t is loaded once and applied to every accumulator of the group.
  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t g = 0; g < count; ++g) {
      if (switched[g][t] != 0)
        cmux_rotate_inplace(bsk, t, switched[g][t], accs.subspan(g * glwe_size, glwe_size), scratch);
    }
  }
}

}  // namespace veil::fhe
