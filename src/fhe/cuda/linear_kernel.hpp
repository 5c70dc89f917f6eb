#pragma once
// The linear layers on the device (Backend::linear_batch; docs/cuda_backend.md, "Linear
// layers"): a block computes up to G outputs of one group of a fhe::LinearBatch over a slice of
// threads x kLinearValues consecutive ciphertext values. Threads run along the ciphertext
// (coalesced reads of each input), each keeps G x kLinearValues accumulators in registers, and
// the group's terms pass through shared memory kLinearTermTile at a time (their input indices
// and the G x tile weights), so one read of an input value serves G outputs.
//
// Written in the block model of block.hpp: the kernel (kernels.cu) and the host emulator
// (HostBlock, the tests) run the same body. Exact integer arithmetic mod 2^64: the outputs are
// the CPU backend's bit for bit. C++17 and no veil headers, for nvcc.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fhe/cuda/device_steps.hpp"

namespace veil::fhe::cuda {

constexpr unsigned kLinearThreads = 128;     // per block on the device
constexpr unsigned kLinearValues = 2;        // ciphertext values per thread
constexpr unsigned kLinearTermTile = 32;     // terms staged in shared memory per phase
constexpr unsigned kLinearWideOutputs = 16;  // G for groups of several outputs (conv, fc)

/// Everything one launch reads and writes (device pointers; host pointers in the emulator).
struct LinearArgs {
  std::uint32_t size;                // values per ciphertext, n+1
  const Torus* inputs;               // the sources, concatenated: input i at inputs + i*size
  const std::int64_t* weights;       // W, row-major
  std::uint32_t columns;             // of W
  const std::uint32_t* group_terms;  // LinearBatch's lists, as they are
  const std::uint32_t* term_input;
  const std::uint32_t* term_column;
  const std::uint32_t* group_outputs;
  const std::uint32_t* output_index;
  const std::uint32_t* output_row;
  const Torus* output_constant;
  const std::uint32_t* tile_group;  // per tile (grid x): its group
  const std::uint32_t* tile_first;  // and its first output, in batch order
  Torus* outputs;                   // output o at outputs + output_index[o]*size
};

template <unsigned G>
struct LinearShared {
  Torus weight[kLinearTermTile][G];  // W[row of output o][column of term t], as a torus factor
  std::uint32_t input[kLinearTermTile];
};

template <unsigned G>
struct LinearAccumulators {
  Torus value[G][kLinearValues];
};

/// Slices (grid y) of a ciphertext of `size` values for blocks of `threads`.
VEIL_HD std::uint32_t linear_slices(std::uint32_t size, unsigned threads) {
  const std::uint32_t per_block = threads * kLinearValues;
  return (size + per_block - 1) / per_block;
}

/// Outputs [tile_first, tile_first + G) of tile `tile`'s group (fewer at the group's end), values
/// [slice * threads * kLinearValues, ...) of each.
template <unsigned G, class Block>
VEIL_HD void linear_block(const LinearArgs& a, std::uint32_t tile, std::uint32_t slice, LinearShared<G>& sh,
                          Block& block) {
  const std::uint32_t group = a.tile_group[tile], first = a.tile_first[tile];
  const std::uint32_t left = a.group_outputs[group + 1] - first;
  const std::uint32_t count = left < G ? left : G;
  const std::uint32_t t0 = a.group_terms[group], t1 = a.group_terms[group + 1];
  const unsigned threads = block.size();
  const std::uint32_t start = slice * threads * kLinearValues;
  typename Block::template Registers<LinearAccumulators<G>> acc(threads);

  // At least one tile, so that a group without terms still zeroes its accumulators.
  for (std::uint32_t tt = t0; tt == t0 || tt < t1; tt += kLinearTermTile) {
    const std::uint32_t n = t1 - tt < kLinearTermTile ? t1 - tt : kLinearTermTile;
    block.phase([&](unsigned tid, unsigned stride) {  // stage the tile's inputs and weights
      for (unsigned u = tid; u < kLinearTermTile * G; u += stride) {
        const unsigned t = u / G, o = u % G;
        sh.weight[t][o] = t < n && o < count
                              ? static_cast<Torus>(
                                    a.weights[std::size_t{a.output_row[first + o]} * a.columns + a.term_column[tt + t]])
                              : Torus{0};
      }
      for (unsigned t = tid; t < kLinearTermTile; t += stride) sh.input[t] = t < n ? a.term_input[tt + t] : 0;
      if (tt == t0) {
        VEIL_UNROLL
        for (unsigned o = 0; o < G; ++o) {
          VEIL_UNROLL
          for (unsigned v = 0; v < kLinearValues; ++v) acc(tid).value[o][v] = 0;
        }
      }
    });
    block.phase([&](unsigned tid, unsigned stride) {  // multiply-accumulate the tile
      LinearAccumulators<G>& r = acc(tid);
      for (std::uint32_t t = 0; t < n; ++t) {
        const Torus* x = a.inputs + std::size_t{sh.input[t]} * a.size;
        Torus xv[kLinearValues];
        VEIL_UNROLL
        for (unsigned v = 0; v < kLinearValues; ++v) {
          const std::uint32_t d = start + v * stride + tid;
          xv[v] = d < a.size ? load_readonly(x + d) : Torus{0};
        }
        VEIL_UNROLL
        for (unsigned o = 0; o < G; ++o) {
          const Torus w = sh.weight[t][o];
          VEIL_UNROLL
          for (unsigned v = 0; v < kLinearValues; ++v) r.value[o][v] += w * xv[v];
        }
      }
    });
  }
  block.phase([&](unsigned tid, unsigned stride) {  // store, the constant on the body
    LinearAccumulators<G>& r = acc(tid);
    VEIL_UNROLL
    for (unsigned o = 0; o < G; ++o) {
      if (o >= count) break;
      Torus* y = a.outputs + std::size_t{a.output_index[first + o]} * a.size;
      const Torus constant = a.output_constant[first + o];
      VEIL_UNROLL
      for (unsigned v = 0; v < kLinearValues; ++v) {
        const std::uint32_t d = start + v * stride + tid;
        if (d < a.size) y[d] = r.value[o][v] + (d == a.size - 1 ? constant : Torus{0});
      }
    }
  });
}

/// The blocks of one launch: G (1 when no group has more than one output: element-wise
/// layers; else kLinearWideOutputs) and per tile its group and first output.
struct LinearTiles {
  unsigned outputs_per_block = 1;
  std::vector<std::uint32_t> group;
  std::vector<std::uint32_t> first;
};

inline LinearTiles make_linear_tiles(const std::uint32_t* group_outputs, std::size_t groups) {
  LinearTiles tiles;
  for (std::size_t g = 0; g < groups; ++g) {
    if (group_outputs[g + 1] - group_outputs[g] > 1) tiles.outputs_per_block = kLinearWideOutputs;
  }
  for (std::size_t g = 0; g < groups; ++g) {
    for (std::uint32_t o = group_outputs[g]; o < group_outputs[g + 1]; o += tiles.outputs_per_block) {
      tiles.group.push_back(static_cast<std::uint32_t>(g));
      tiles.first.push_back(o);
    }
  }
  return tiles;
}

}  // namespace veil::fhe::cuda
