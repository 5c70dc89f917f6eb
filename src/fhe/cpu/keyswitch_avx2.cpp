// The group key switch's accumulation on AVX2: acc_g -= sum_r d[r][g] * row_r over tiles of
// kKeyswitchTileRows / 2 key rows, the AVX-512 kernel's tiling (keyswitch_avx512.cpp) on 4-lane
// vectors. Up to 8 accumulators of one column vector stay in registers across the tile. AVX2 has
// no 64-bit multiply; the digits are small (|d| <= 128: base log <= 8), so x * |d| mod 2^64 is
// lo32(x) * |d| + (hi32(x) * |d|) << 32, two 32-bit multiplies, and the digit's sign decides
// between adding and subtracting, (p ^ m) - m with m all ones or zero.
#include <immintrin.h>

#include "fhe/cpu/avx2_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// A tile's digits as the kernel uses them: |d| and the mask m that makes (p ^ m) - m equal to
// -sign(d) * p, at [r * stride + g] of two arrays (broadcast from memory in the loop).
struct TileDigits {
  const std::int64_t *magnitude, *negate;
};

inline __m256i broadcast(const std::int64_t* at) { return _mm256_set1_epi64x(*at); }

// G accumulators (G <= 8) of width values each.
template <int G>
void tile_chunk(const std::uint64_t* rows, std::size_t row_stride, std::size_t tile_rows, TileDigits d,
                std::size_t digit_stride, std::uint64_t* const* acc, std::size_t width) {
  std::size_t c = 0;
  for (; c + 4 <= width; c += 4) {
    __m256i a[G];
    for (int g = 0; g < G; ++g) a[g] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(acc[g] + c));
    for (std::size_t r = 0; r < tile_rows; ++r) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows + r * row_stride + c));
      const __m256i x_high = _mm256_srli_epi64(x, 32);
      for (int g = 0; g < G; ++g) {
        const __m256i magnitude = broadcast(d.magnitude + r * digit_stride + g);
        const __m256i negate = broadcast(d.negate + r * digit_stride + g);
        const __m256i low = _mm256_mul_epu32(x, magnitude);
        const __m256i high = _mm256_slli_epi64(_mm256_mul_epu32(x_high, magnitude), 32);
        const __m256i p = _mm256_add_epi64(low, high);
        a[g] = _mm256_add_epi64(a[g], _mm256_sub_epi64(_mm256_xor_si256(p, negate), negate));
      }
    }
    for (int g = 0; g < G; ++g) _mm256_storeu_si256(reinterpret_cast<__m256i*>(acc[g] + c), a[g]);
  }
  for (; c < width; ++c) {  // the last width % 4 columns
    for (int g = 0; g < G; ++g) {
      std::uint64_t sum = acc[g][c];
      for (std::size_t r = 0; r < tile_rows; ++r) {
        const std::size_t at = r * digit_stride + g;
        const std::uint64_t p = rows[r * row_stride + c] * static_cast<std::uint64_t>(d.magnitude[at]);
        const auto m = static_cast<std::uint64_t>(d.negate[at]);
        sum += (p ^ m) - m;
      }
      acc[g][c] = sum;
    }
  }
}

// acc[g][c] -= sum over r < tile_rows of digit (r, g) times rows[r * row_stride + c].
void tile(const std::uint64_t* rows, std::size_t row_stride, std::size_t tile_rows, TileDigits digits,
          std::size_t count, std::uint64_t* const* acc, std::size_t width) {
  for (std::size_t g0 = 0; g0 < count; g0 += 8) {
    const TileDigits d{digits.magnitude + g0, digits.negate + g0};
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

void keyswitch_accumulate_avx2(const KeyswitchTerms& s) {
  // Tiles of half kKeyswitchTileRows rows: the `wide` scratch holds their magnitudes, then their
  // masks (acc -= d * x: subtract |d| * x when d > 0, add it when d < 0).
  constexpr std::size_t kTileRows = kKeyswitchTileRows / 2;
  std::int64_t* magnitude = s.wide;
  std::int64_t* negate = s.wide + kTileRows * s.count;
  const TileDigits digits{magnitude, negate};
  for (std::size_t r0 = 0; r0 < s.rows; r0 += kTileRows) {
    const std::size_t rows = s.rows - r0 < kTileRows ? s.rows - r0 : kTileRows;
    for (std::size_t t = 0; t < rows * s.count; ++t) {
      // NOLINTNEXTLINE(bugprone-signed-char-misuse): the digits are signed, widened with their sign
      const std::int64_t d = s.digits[r0 * s.count + t];
      magnitude[t] = d < 0 ? -d : d;
      negate[t] = d > 0 ? -1 : 0;
    }
    tile(s.key + r0 * s.width, s.width, rows, digits, s.count, s.acc, s.width);
  }
}

}  // namespace veil::fhe::cpu
