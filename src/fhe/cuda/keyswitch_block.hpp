#pragma once
// Key switching on the device (docs/cuda_backend.md, "Key switching"): a block switches a group
// of kKeyswitchGroup ciphertexts for `threads` consecutive output columns (one per thread). The
// group's inputs are decomposed once per block, a tile of input coefficients at a time, into
// shared memory; then every thread walks the tile's key rows for its column (coalesced across
// the block) and multiplies each key value it loads into the group's accumulators, which stay in
// registers. So each key read serves the whole group, and no thread repeats another's
// decomposition (the first version decomposed every input once per output column: ~2/3 of its
// instructions).
//
// Written in the block model of block.hpp: the kernel (kernels.cu) and the host emulator
// (HostBlock, the tests) run the same body. Exact integer arithmetic mod 2^64: the outputs are
// the CPU's key switching bit for bit. C++17 and no veil headers, for nvcc.
#include <cstddef>
#include <cstdint>

#include "fhe/cuda/device_steps.hpp"

namespace veil::fhe::cuda {

constexpr std::uint32_t kKeyswitchGroup = 8;      // ciphertexts per block: each key read serves all
constexpr unsigned kKeyswitchThreads = 128;       // output columns per block on the device
constexpr std::uint32_t kKeyswitchDigits = 4096;  // digits staged per tile: 16 KiB of shared memory

struct KeyswitchShared {
  std::int32_t digits[kKeyswitchDigits];  // (coefficient of the tile, level) -> ciphertext of the group
};

/// A thread's accumulators: its column of each ciphertext of the group.
struct KeyswitchAccumulators {
  Torus v[kKeyswitchGroup];
};

/// Input coefficients per tile: as many as kKeyswitchDigits holds for the group's levels.
VEIL_HD std::uint32_t keyswitch_tile(const KeyswitchShape& s) {
  return kKeyswitchDigits / (s.levels * kKeyswitchGroup);
}

/// Output column `first_column + tid` (n_out is the body) of ciphertexts group*G .. group*G + G-1
/// that are < count, handed to store(ciphertext, column, value). The value is
/// (0, ..., 0, b) - sum over i, j of d_j(a_i) * key[i][j]: the CPU's sum (keyswitch.cpp) in
/// another order, exact mod 2^64. Key layout: input coefficient i -> level j -> n_out+1 values.
template <class Block, class Store>
VEIL_HD void keyswitch_block(const KeyswitchShape& s, const Torus* key, const Torus* in, std::size_t count,
                             std::size_t group, std::uint32_t first_column, KeyswitchShared& sh, Block& block,
                             Store store) {
  constexpr std::uint32_t G = kKeyswitchGroup;
  const std::size_t first = group * G;
  const std::size_t in_size = std::size_t{s.n_in} + 1;
  const std::size_t row_size = std::size_t{s.n_out} + 1;
  const std::uint32_t tile = keyswitch_tile(s);
  typename Block::template Registers<KeyswitchAccumulators> accumulators(block.size());

  block.phase([&](unsigned tid, unsigned) {  // the body column starts from the inputs' bodies
    const std::uint32_t column = first_column + tid;
    KeyswitchAccumulators& acc = accumulators(tid);
    VEIL_UNROLL
    for (std::uint32_t g = 0; g < G; ++g) {
      acc.v[g] = column == s.n_out && first + g < count ? in[(first + g) * in_size + s.n_in] : Torus{0};
    }
  });
  for (std::uint32_t i0 = 0; i0 < s.n_in; i0 += tile) {
    const std::uint32_t length = s.n_in - i0 < tile ? s.n_in - i0 : tile;
    block.phase([&](unsigned tid, unsigned threads) {  // the group's digits of the tile, each input once
      for (std::uint32_t item = tid; item < G * length; item += threads) {
        const std::uint32_t g = item / length, i = item % length;  // consecutive threads, consecutive inputs
        Torus state = first + g < count ? decomposition_state(in[(first + g) * in_size + i0 + i], s.base_log, s.levels)
                                        : Torus{0};
        for (std::uint32_t j = s.levels; j-- > 0;) {
          sh.digits[(i * s.levels + j) * G + g] = static_cast<std::int32_t>(next_digit(state, s.base_log));
        }
      }
    });
    block.phase([&](unsigned tid, unsigned) {  // the tile's key rows, at this thread's column
      const std::uint32_t column = first_column + tid;
      if (column > s.n_out) return;
      KeyswitchAccumulators& acc = accumulators(tid);
      const Torus* rows = key + std::size_t{i0} * s.levels * row_size + column;
      for (std::uint32_t u = 0; u < length * s.levels; ++u) {
        const Torus key_value = load_readonly(rows + std::size_t{u} * row_size);
        const std::int32_t* digits = sh.digits + std::size_t{u} * G;
        VEIL_UNROLL
        for (std::uint32_t g = 0; g < G; ++g) {
          acc.v[g] -= static_cast<Torus>(static_cast<std::int64_t>(digits[g])) * key_value;
        }
      }
    });
  }
  block.phase([&](unsigned tid, unsigned) {
    const std::uint32_t column = first_column + tid;
    if (column > s.n_out) return;
    const KeyswitchAccumulators& acc = accumulators(tid);
    VEIL_UNROLL
    for (std::uint32_t g = 0; g < G; ++g) {
      if (first + g < count) store(first + g, column, acc.v[g]);
    }
  });
}

}  // namespace veil::fhe::cuda
