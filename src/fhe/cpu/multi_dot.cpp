#include "fhe/cpu/multi_dot.hpp"

#include <algorithm>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

namespace veil::fhe::cpu {

namespace {

#if defined(__AVX512F__) && defined(__AVX512DQ__)

// Terms per pass over the outputs: a pass's input slices and weights (64 outputs x 256 terms,
// 128 KiB) stay in L2 while every 32-value chunk of the ciphertexts is done. Without tiling, a
// row of ResNet-18's layer4 (4,608 terms) streamed 2.4 MB of weights from L3 per chunk (5x slower).
constexpr std::size_t kTermTile = 256;

// G outputs x V vectors of 8 values from `first`, in registers across the tile's terms, added to
// what out holds when `accumulate`; the last vector is masked. weights[g * stride + t] is output
// g's weight of the tile's term t.
template <int G, int V>
void dot_block(std::span<const Torus* const> inputs, const std::int64_t* weights, std::size_t stride,
               Torus* const* out, std::size_t first, __mmask8 last_mask, bool accumulate) {
  const std::size_t terms = inputs.size();
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
void dot_all_outputs(std::span<const Torus* const> inputs, const std::int64_t* weights, std::size_t stride,
                     std::span<Torus* const> out, std::size_t first, __mmask8 last_mask, bool accumulate) {
  for (std::size_t o = 0; o < out.size(); o += 4) {
    const std::int64_t* w = weights + o * stride;
    Torus* const* y = out.data() + o;
    switch (std::min<std::size_t>(4, out.size() - o)) {
      case 4: dot_block<4, V>(inputs, w, stride, y, first, last_mask, accumulate); break;
      case 3: dot_block<3, V>(inputs, w, stride, y, first, last_mask, accumulate); break;
      case 2: dot_block<2, V>(inputs, w, stride, y, first, last_mask, accumulate); break;
      default: dot_block<1, V>(inputs, w, stride, y, first, last_mask, accumulate); break;
    }
  }
}

#endif

}  // namespace

void multi_dot_product(std::span<const Torus* const> inputs, const std::int64_t* weights, std::span<Torus* const> out,
                       std::size_t size) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  constexpr std::size_t kWide = 32;  // 4 vectors of 8 values
  const std::size_t terms = inputs.size();
  // At least one pass, so that outputs without terms are zeroed.
  for (std::size_t t0 = 0; t0 == 0 || t0 < terms; t0 += kTermTile) {
    const auto tile = inputs.subspan(t0, std::min(kTermTile, terms - t0));
    const std::int64_t* w = weights + t0;
    std::size_t first = 0;
    for (; first + kWide <= size; first += kWide) dot_all_outputs<4>(tile, w, terms, out, first, 0xFF, t0 > 0);
    for (; first < size; first += 8) {
      const std::size_t left = size - first;
      dot_all_outputs<1>(tile, w, terms, out, first,
                         left >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << left) - 1), t0 > 0);
    }
  }
#else
  const std::size_t terms = inputs.size();
  for (std::size_t o = 0; o < out.size(); ++o) {
    Torus* __restrict y = out[o];
    std::fill(y, y + size, Torus{0});
    for (std::size_t t = 0; t < terms; ++t) {
      const auto w = static_cast<Torus>(weights[o * terms + t]);
      const Torus* __restrict x = inputs[t];
      for (std::size_t d = 0; d < size; ++d) y[d] += x[d] * w;
    }
  }
#endif
}

}  // namespace veil::fhe::cpu
