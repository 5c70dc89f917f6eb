// multi_dot on AVX-512: 4 outputs x 32 values stay in registers across a pass of terms (bound by
// vpmullq), and each input slice is read from memory once for all outputs.
#include <immintrin.h>

#include "fhe/cpu/avx512_kernels.hpp"

namespace veil::fhe::cpu {

namespace {

// Terms per pass over the outputs: a pass's input slices and weights (64 outputs x 256 terms,
// 128 KiB) stay in L2 while every 32-value chunk of the ciphertexts is done. Without tiling, a
// row of ResNet-18's layer4 (4,608 terms) streamed 2.4 MB of weights from L3 per chunk (5x slower).
constexpr std::size_t kTermTile = 256;

// G outputs x V vectors of 8 values from `first`, in registers across the tile's `terms`, added to
// what out holds when `accumulate`; the last vector is masked. weights[g * stride + t] is output
// g's weight of the tile's term t.
template <int G, int V>
void dot_block(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights, std::size_t stride,
               std::uint64_t* const* out, std::size_t first, __mmask8 last_mask, bool accumulate) {
  __m512i acc[G][V];
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < V; ++v) {
      acc[g][v] = accumulate ? _mm512_maskz_loadu_epi64(v == V - 1 ? last_mask : __mmask8{0xFF}, out[g] + first + 8 * v)
                             : _mm512_setzero_si512();
    }
  }
  for (std::size_t t = 0; t < terms; ++t) {
    __m512i x[V];
    for (int v = 0; v < V; ++v) {
      x[v] = _mm512_maskz_loadu_epi64(v == V - 1 ? last_mask : __mmask8{0xFF}, inputs[t] + first + 8 * v);
    }
    for (int g = 0; g < G; ++g) {
      const __m512i w = _mm512_set1_epi64(weights[static_cast<std::size_t>(g) * stride + t]);
      for (int v = 0; v < V; ++v) acc[g][v] = _mm512_add_epi64(acc[g][v], _mm512_mullo_epi64(x[v], w));
    }
  }
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < V; ++v) {
      _mm512_mask_storeu_epi64(out[g] + first + 8 * v, v == V - 1 ? last_mask : __mmask8{0xFF}, acc[g][v]);
    }
  }
}

// Every output over V vectors from `first`: the inputs' slices are loaded from memory once
// and re-read from cache by the following groups of 4 outputs.
template <int V>
void dot_all_outputs(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights,
                     std::size_t stride, std::uint64_t* const* out, std::size_t outputs, std::size_t first,
                     __mmask8 last_mask, bool accumulate) {
  for (std::size_t o = 0; o < outputs; o += 4) {
    const std::int64_t* w = weights + o * stride;
    std::uint64_t* const* y = out + o;
    switch (outputs - o >= 4 ? 4 : outputs - o) {
      case 4: dot_block<4, V>(inputs, terms, w, stride, y, first, last_mask, accumulate); break;
      case 3: dot_block<3, V>(inputs, terms, w, stride, y, first, last_mask, accumulate); break;
      case 2: dot_block<2, V>(inputs, terms, w, stride, y, first, last_mask, accumulate); break;
      default: dot_block<1, V>(inputs, terms, w, stride, y, first, last_mask, accumulate); break;
    }
  }
}

}  // namespace

void multi_dot_avx512(const std::uint64_t* const* inputs, std::size_t terms, const std::int64_t* weights,
                      std::uint64_t* const* out, std::size_t outputs, std::size_t size) {
  constexpr std::size_t kWide = 32;  // 4 vectors of 8 values
  // At least one pass, so that outputs without terms are zeroed.
  for (std::size_t t0 = 0; t0 == 0 || t0 < terms; t0 += kTermTile) {
    const std::size_t tile = terms - t0 < kTermTile ? terms - t0 : kTermTile;
    const std::int64_t* w = weights + t0;
    std::size_t first = 0;
    for (; first + kWide <= size; first += kWide) {
      dot_all_outputs<4>(inputs + t0, tile, w, terms, out, outputs, first, 0xFF, t0 > 0);
    }
    for (; first < size; first += 8) {
      const std::size_t left = size - first;
      dot_all_outputs<1>(inputs + t0, tile, w, terms, out, outputs, first,
                         left >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << left) - 1), t0 > 0);
    }
  }
}

}  // namespace veil::fhe::cpu
