#include "fhe/cpu/multi_dot.hpp"

#include <algorithm>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

namespace veil::fhe::cpu {

namespace {



#if defined(__AVX512F__) && defined(__AVX512DQ__)

// G outputs x V vectors of 8 values from `first`, in registers across all terms; the last
// vector is masked.
template <int G, int V>
void dot_block(std::span<const Torus* const> inputs, const std::int64_t* weights, Torus* const* out,
               std::size_t first, __mmask8 last_mask) {
  const std::size_t terms = inputs.size();
  __m512i acc[G][V];
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < V; ++v) acc[g][v] = _mm512_setzero_si512();
  }
  for (std::size_t t = 0; t < terms; ++t) {
    __m512i x[V];
    for (int v = 0; v < V; ++v) {
      x[v] = _mm512_maskz_loadu_epi64(v == V - 1 ? last_mask : __mmask8{0xFF}, inputs[t] + first + 8 * v);
    }
    for (int g = 0; g < G; ++g) {
      const __m512i w = _mm512_set1_epi64(weights[static_cast<std::size_t>(g) * terms + t]);
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
void dot_all_outputs(std::span<const Torus* const> inputs, const std::int64_t* weights, std::span<Torus* const> out,
                     std::size_t first, __mmask8 last_mask) {
  const std::size_t terms = inputs.size();
  for (std::size_t o = 0; o < out.size(); o += 4) {
    const std::int64_t* w = weights + o * terms;
    Torus* const* y = out.data() + o;
    switch (std::min<std::size_t>(4, out.size() - o)) {
      case 4: dot_block<4, V>(inputs, w, y, first, last_mask); break;
      case 3: dot_block<3, V>(inputs, w, y, first, last_mask); break;
      case 2: dot_block<2, V>(inputs, w, y, first, last_mask); break;
      default: dot_block<1, V>(inputs, w, y, first, last_mask); break;
    }
  }
}

#endif

}  // namespace

void multi_dot_product(std::span<const Torus* const> inputs, const std::int64_t* weights, std::span<Torus* const> out,
                       std::size_t size) {
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  constexpr std::size_t kWide = 32;  // 4 vectors of 8 values
  std::size_t first = 0;
  for (; first + kWide <= size; first += kWide) dot_all_outputs<4>(inputs, weights, out, first, 0xFF);
  for (; first < size; first += 8) {
    const std::size_t left = size - first;
    dot_all_outputs<1>(inputs, weights, out, first, left >= 8 ? __mmask8{0xFF} : static_cast<__mmask8>((1u << left) - 1));
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
