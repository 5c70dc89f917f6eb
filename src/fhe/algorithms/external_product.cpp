// The transforms and products run in cpu_kernels().
#include "veil/fhe/external_product.hpp"

#include <array>
#include <string>

#include "fhe/commons/scratch.hpp"
#include "fhe/cpu/cpu_kernels.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe {

namespace {
// Doubles between consecutive Fourier digit rows: N is a multiple of 4 KiB at N >= 512, so
// unpadded rows would put the same offset of every row in one L1 set, and the Fourier product
// reading all rows at once would evict its own lines; a 64-byte pad moves each row one set on.
std::size_t digit_row_stride(std::size_t n) { return n + 8; }
}  // namespace

std::size_t external_product_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level) {
  const std::size_t rows = (k.value + 1) * level.value;
  return detail::ScratchSize()
      .add<std::int64_t>(level.value * N.value)       // digit polynomials of one GLWE component
      .add<double>(rows * digit_row_stride(N.value))  // every digit polynomial in the Fourier domain
      .add<double>((k.value + 1) * N.value)           // the output in the Fourier domain
      .total();
}

namespace {
// The external product of the GLWE whose component i has its digit polynomials transformed by
// forward_component(i, digits scratch, outs), added to out. Row r = i*l + j of the GGSW meets
// digit polynomial j of component i.
template <class ForwardComponent>
void add_external_product(const FourierBootstrapKey& bsk, std::size_t index, Torus* out, detail::ScratchCursor& cursor,
                          ForwardComponent forward_component) {
  const std::size_t k = bsk.glwe_dimension().value;
  const std::size_t n = bsk.polynomial_size().value;
  const std::size_t levels = bsk.level_count().value;
  const std::size_t rows = (k + 1) * levels;
  auto* digits = cursor.take<std::int64_t>(levels * n);
  const std::size_t stride = digit_row_stride(n);
  auto* digit_fourier = cursor.take<double>(rows * stride);
  auto* acc = cursor.take<double>((k + 1) * n);

  std::array<double*, 64> outs{};  // base_log * level < 64: at most 63 levels
  for (std::size_t i = 0; i <= k; ++i) {
    for (std::size_t j = 0; j < levels; ++j) outs[j] = digit_fourier + (i * levels + j) * stride;
    forward_component(i, digits, outs.data());
  }
  // Accumulate every row into all components in the Fourier domain (each digit row read once),
  // then one inverse transform per component.
  cpu::cpu_kernels().fourier_dot(acc, digit_fourier, stride, bsk.ggsw(index).data(), (k + 1) * n, rows, k + 1, n / 2);
  const NegacyclicFft& fft = NegacyclicFft::for_size(bsk.polynomial_size());
  for (std::size_t c = 0; c <= k; ++c) fft.backward_add(acc + c * n, out + c * n);
}
}  // namespace

void external_product_add(const FourierBootstrapKey& bsk, std::size_t index, std::span<const Torus> in,
                          std::span<Torus> out, std::span<std::byte> scratch) {
  const std::size_t k = bsk.glwe_dimension().value;
  const std::size_t n = bsk.polynomial_size().value;
  const std::size_t glwe_size = (k + 1) * n;
  if (in.size() != glwe_size || out.size() != glwe_size || index >= bsk.input_lwe_dimension().value) {
    throw InvalidArgument("external_product_add: GLWE operands of " + std::to_string(in.size()) + " and " +
                          std::to_string(out.size()) + " values, GGSW index " + std::to_string(index) + "; expected " +
                          std::to_string(glwe_size) + " values and index < " +
                          std::to_string(bsk.input_lwe_dimension().value));
  }
  detail::ScratchCursor cursor(
      scratch, external_product_scratch_size(bsk.glwe_dimension(), bsk.polynomial_size(), bsk.level_count()),
      "external_product_add");
  const NegacyclicFft& fft = NegacyclicFft::for_size(bsk.polynomial_size());
  const SignedDecomposer decomposer(bsk.base_log(), bsk.level_count());
  add_external_product(bsk, index, out.data(), cursor, [&](std::size_t i, std::int64_t* digits, double* const* outs) {
    fft.forward_digits(in.data() + i * n, decomposer, digits, outs);
  });
}

std::size_t cmux_scratch_size(GlweDimension k, PolynomialSize N, DecompositionLevelCount level) {
  return detail::ScratchSize()
      .add<Torus>(N.value)  // one component's difference, where the transform does not read it from acc
      .add_bytes(external_product_scratch_size(k, N, level))
      .total();
}

void cmux_rotate_inplace(const FourierBootstrapKey& bsk, std::size_t index, std::size_t rotation, std::span<Torus> acc,
                         std::span<std::byte> scratch) {
  const std::size_t k = bsk.glwe_dimension().value;
  const std::size_t n = bsk.polynomial_size().value;
  if (rotation >= 2 * n || acc.size() != (k + 1) * n) {
    throw InvalidArgument("cmux_rotate_inplace: rotation " + std::to_string(rotation) + ", accumulator of " +
                          std::to_string(acc.size()) + " values; expected rotation < 2N = " + std::to_string(2 * n) +
                          " and " + std::to_string((k + 1) * n) + " values");
  }
  detail::ScratchCursor cursor(scratch,
                               cmux_scratch_size(bsk.glwe_dimension(), bsk.polynomial_size(), bsk.level_count()),
                               "cmux_rotate_inplace");
  Torus* diff = cursor.take<Torus>(n);
  const NegacyclicFft& fft = NegacyclicFft::for_size(bsk.polynomial_size());
  const SignedDecomposer decomposer(bsk.base_log(), bsk.level_count());
  // acc += ggsw ⊡ (X^rotation * acc - acc): every component's difference is transformed before
  // the first inverse transform writes acc.
  add_external_product(bsk, index, acc.data(), cursor, [&](std::size_t i, std::int64_t* digits, double* const* outs) {
    fft.forward_rotated_difference_digits(acc.data() + i * n, rotation, decomposer, digits, diff, outs);
  });
}

}  // namespace veil::fhe
