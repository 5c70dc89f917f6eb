#pragma once
// A fhe::LinearBatch laid out for one launch of the linear kernel (linear_kernel.hpp): its index
// lists and the block tiles packed into one uint32 array (one upload), and the kernel's
// arguments over wherever the arrays live (device memory in the backend, host memory in the
// emulator tests).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fhe/cuda/linear_kernel.hpp"
#include "veil/fhe/linear_batch.hpp"

namespace veil::fhe::cuda {

struct PackedLinearBatch {
  std::vector<std::uint32_t> index;  // the lists below, one after the other
  std::size_t tiles = 0;
  unsigned outputs_per_block = 1;
  // Offsets in `index`.
  std::size_t group_terms = 0, term_input = 0, term_column = 0, group_outputs = 0, output_index = 0, output_row = 0,
              tile_group = 0, tile_first = 0;
};

inline PackedLinearBatch pack_linear_batch(const LinearTerms& b) {
  PackedLinearBatch p;
  const auto append = [&](const std::vector<std::uint32_t>& list) {
    const std::size_t offset = p.index.size();
    p.index.insert(p.index.end(), list.begin(), list.end());
    return offset;
  };
  const LinearTiles tiles = make_linear_tiles(b.group_outputs.data(), b.groups());
  p.tiles = tiles.group.size();
  p.outputs_per_block = tiles.outputs_per_block;
  p.group_terms = append(b.group_terms);
  p.term_input = append(b.term_input);
  p.term_column = append(b.term_column);
  p.group_outputs = append(b.group_outputs);
  p.output_index = append(b.output_index);
  p.output_row = append(b.output_row);
  p.tile_group = append(tiles.group);
  p.tile_first = append(tiles.first);
  return p;
}

/// The kernel's arguments: `index` holds p.index, `inputs` the sources concatenated, `weights`
/// W, `constants` the output constants; ciphertexts of `size` values.
inline LinearArgs linear_args(const PackedLinearBatch& p, const LinearTerms& b, std::uint32_t size,
                              const std::uint32_t* index, const Torus* inputs, const std::int64_t* weights,
                              const Torus* constants, Torus* outputs) {
  return LinearArgs{size,
                    inputs,
                    weights,
                    static_cast<std::uint32_t>(b.columns),
                    index + p.group_terms,
                    index + p.term_input,
                    index + p.term_column,
                    index + p.group_outputs,
                    index + p.output_index,
                    index + p.output_row,
                    constants,
                    index + p.tile_group,
                    index + p.tile_first,
                    outputs};
}

}  // namespace veil::fhe::cuda
