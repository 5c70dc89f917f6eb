// The group key switch's accumulation on AVX-512: acc_g -= sum_r d[r][g] * row_r over tiles of
// kKeyswitchTileRows key rows. Up to 8 accumulators of one column vector stay in registers across
// the tile, so each key vector is loaded once per 8 ciphertexts and each accumulator once per
// tile; the loop is then bound by vpmullq alone (64-bit products mod 2^64, as the plain loop).
#include <immintrin.h>

#include "fhe/cpu/avx512_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// G accumulators (G <= 8) of width values each; digits[r * stride + g].
template <int G>
void tile_chunk(const std::uint64_t* rows, std::size_t row_stride, std::size_t tile_rows, const std::int64_t* digits,
                std::size_t digit_stride, std::uint64_t* const* acc, std::size_t width) {
  for (std::size_t c = 0; c < width; c += 8) {
    const __mmask8 mask = width - c >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << (width - c)) - 1);
    __m512i a[G];
    for (int g = 0; g < G; ++g) a[g] = _mm512_maskz_loadu_epi64(mask, acc[g] + c);
    for (std::size_t r = 0; r < tile_rows; ++r) {
      const __m512i x = _mm512_maskz_loadu_epi64(mask, rows + r * row_stride + c);
      const std::int64_t* d = digits + r * digit_stride;
      for (int g = 0; g < G; ++g) a[g] = _mm512_sub_epi64(a[g], _mm512_mullo_epi64(x, _mm512_set1_epi64(d[g])));
    }
    for (int g = 0; g < G; ++g) _mm512_mask_storeu_epi64(acc[g] + c, mask, a[g]);
  }
}

// acc[g][c] -= sum over r < tile_rows of digits[r * count + g] * rows[r * row_stride + c].
void tile(const std::uint64_t* rows, std::size_t row_stride, std::size_t tile_rows, const std::int64_t* digits,
          std::size_t count, std::uint64_t* const* acc, std::size_t width) {
  for (std::size_t g0 = 0; g0 < count; g0 += 8) {
    const std::int64_t* d = digits + g0;
    std::uint64_t* const* a = acc + g0;
    switch (count - g0 >= 8 ? 8 : count - g0) {
      case 8: tile_chunk<8>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 7: tile_chunk<7>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 6: tile_chunk<6>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 5: tile_chunk<5>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 4: tile_chunk<4>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 3: tile_chunk<3>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 2: tile_chunk<2>(rows, row_stride, tile_rows, d, count, a, width); break;
      default: tile_chunk<1>(rows, row_stride, tile_rows, d, count, a, width); break;
    }
  }
}

}  // namespace

void keyswitch_accumulate_avx512(const KeyswitchTerms& s) {
  // Tiles of consecutive key rows, each read once from memory; the tile's digits widened first.
  for (std::size_t r0 = 0; r0 < s.rows; r0 += kKeyswitchTileRows) {
    const std::size_t rows = s.rows - r0 < kKeyswitchTileRows ? s.rows - r0 : kKeyswitchTileRows;
    // NOLINTNEXTLINE(bugprone-signed-char-misuse): the digits are signed, widened with their sign
    for (std::size_t t = 0; t < rows * s.count; ++t) s.wide[t] = s.digits[r0 * s.count + t];
    tile(s.key + r0 * s.width, s.width, rows, s.wide, s.count, s.acc, s.width);
  }
}

}  // namespace veil::fhe::cpu
