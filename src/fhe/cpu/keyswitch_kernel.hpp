#pragma once
// The inner kernel of keyswitch_group on AVX-512: acc_g -= sum_r d[r][g] * row_r over a tile of
// key rows. Up to 8 accumulators of one column vector stay in registers across the tile, so
// each key vector is loaded once per 8 ciphertexts and each accumulator once per tile; the
// loop is then bound by vpmullq alone (64-bit products mod 2^64, as the scalar loop).
#include <cstddef>
#include <cstdint>

#include "veil/fhe/dimensions.hpp"

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>

namespace veil::fhe::detail {

/// Rows per tile of keyswitch_group: the tile (rows x (n+1) values) is re-read from L2 once per
/// 8 ciphertexts; accumulators are loaded and stored once per tile.
inline constexpr std::size_t kKeyswitchTileRows = 16;

// G accumulators (G <= 8) of width values each; digits[r * stride + g].
template <int G>
inline void keyswitch_tile_chunk(const Torus* rows, std::size_t row_stride, std::size_t tile_rows,
                                 const std::int64_t* digits, std::size_t digit_stride, Torus* const* acc,
                                 std::size_t width) {
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

/// acc[g][c] -= sum over r < tile_rows of digits[r * count + g] * rows[r * row_stride + c],
/// c < width, g < count.
inline void keyswitch_tile(const Torus* rows, std::size_t row_stride, std::size_t tile_rows,
                           const std::int64_t* digits, std::size_t count, Torus* const* acc, std::size_t width) {
  for (std::size_t g0 = 0; g0 < count; g0 += 8) {
    const std::int64_t* d = digits + g0;
    Torus* const* a = acc + g0;
    switch (count - g0 >= 8 ? 8 : count - g0) {
      case 8: keyswitch_tile_chunk<8>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 7: keyswitch_tile_chunk<7>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 6: keyswitch_tile_chunk<6>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 5: keyswitch_tile_chunk<5>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 4: keyswitch_tile_chunk<4>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 3: keyswitch_tile_chunk<3>(rows, row_stride, tile_rows, d, count, a, width); break;
      case 2: keyswitch_tile_chunk<2>(rows, row_stride, tile_rows, d, count, a, width); break;
      default: keyswitch_tile_chunk<1>(rows, row_stride, tile_rows, d, count, a, width); break;
    }
  }
}

}  // namespace veil::fhe::detail

#endif
