// The CUDA linear kernel's block body (fhe/cuda/linear_kernel.hpp) run on the host by the block
// emulator, in every build: its outputs equal the CPU backend's bit for bit on convolution-like
// and element-wise batches, for the device's block size and for others in reverse thread order
// (a missing barrier would make them differ). The device itself: CudaBackend.LinearBatch* in
// cuda_backend_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine_test_keys.hpp"
#include "fhe/cuda/block.hpp"
#include "fhe/cuda/linear_layout.hpp"
#include "linear_batch_cases.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::fhe {
namespace {

using testing::LinearCase;

/// The launch of CudaBackend::linear_batch, every block run by `block` in turn.
void emulate_linear_batch(const LinearBatch& batch, LweCiphertextArray& outputs, const cuda::HostBlock& block) {
  std::vector<Torus> inputs;
  for (const LweCiphertextArray* s : batch.sources) inputs.insert(inputs.end(), s->data().begin(), s->data().end());
  const cuda::PackedLinearBatch packed = cuda::pack_linear_batch(batch);
  const auto size = static_cast<std::uint32_t>(outputs.dimension().value + 1);
  const cuda::LinearArgs args =
      cuda::linear_args(packed, batch, size, packed.index.data(), inputs.data(), batch.weights.data(),
                        batch.output_constant.data(), outputs.data().data());
  for (std::uint32_t tile = 0; tile < packed.tiles; ++tile) {
    for (std::uint32_t slice = 0; slice < cuda::linear_slices(size, block.threads); ++slice) {
      if (packed.outputs_per_block == 1) {
        cuda::LinearShared<1> shared{};  // zeroed: a stale read gives a wrong value, not a crash
        cuda::linear_block<1>(args, tile, slice, shared, block);
      } else {
        cuda::LinearShared<cuda::kLinearWideOutputs> shared{};
        cuda::linear_block<cuda::kLinearWideOutputs>(args, tile, slice, shared, block);
      }
    }
  }
}

void expect_emulation_equals_cpu(const LinearCase& c, const std::string& what) {
  LweCiphertextArray cpu = testing::poisoned_outputs(c);
  linear_batch(c.batch, cpu, testing::test_thread_pool());
  for (const cuda::HostBlock block :
       {cuda::HostBlock{cuda::kLinearThreads, false}, cuda::HostBlock{64, true}, cuda::HostBlock{200, true}}) {
    LweCiphertextArray emulated = testing::poisoned_outputs(c);
    emulate_linear_batch(c.batch, emulated, block);
    for (std::size_t i = 0; i < cpu.size(); ++i) {
      ASSERT_TRUE(std::ranges::equal(cpu[i], emulated[i]))
          << what << ": output " << i << ", " << block.threads << " threads" << (block.reverse ? " in reverse" : "");
    }
  }
}

// The ResNet-18 sets' k*N = 4096 (4,097 values: the last slice holds the body alone); 20 output
// channels are a full block of 16 and one of 4; 36 taps are two term tiles (32 + 4), fewer at
// the padded ends.
TEST(CudaLinearEmulator, ConvLikeRowEqualsCpuBitForBit) {
  const LinearCase c = testing::conv_like_case(11, LweDimension(4096), 5, 4, 20);
  ASSERT_EQ(cuda::pack_linear_batch(c.batch).outputs_per_block, cuda::kLinearWideOutputs);
  expect_emulation_equals_cpu(c, "conv-like, k*N = 4096");
  expect_emulation_equals_cpu(testing::conv_like_case(12, LweDimension(700), 3, 1, 33), "conv-like, n = 700");
}

// Groups of one output take blocks of one output (G = 1); groups without terms write their constant.
TEST(CudaLinearEmulator, ElementwiseRowEqualsCpuBitForBit) {
  const LinearCase c = testing::elementwise_case(13, LweDimension(1024), 40, 9);
  ASSERT_EQ(cuda::pack_linear_batch(c.batch).outputs_per_block, 1u);
  expect_emulation_equals_cpu(c, "element-wise");
}

TEST(CudaLinearEmulator, TilesCoverEachOutputOnce) {
  const std::vector<std::uint32_t> group_outputs = {0, 1, 17, 17, 50};
  const cuda::LinearTiles tiles = cuda::make_linear_tiles(group_outputs.data(), 4);
  EXPECT_EQ(tiles.outputs_per_block, cuda::kLinearWideOutputs);
  EXPECT_EQ(tiles.group, (std::vector<std::uint32_t>{0, 1, 3, 3, 3}));
  EXPECT_EQ(tiles.first, (std::vector<std::uint32_t>{0, 1, 17, 33, 49}));
}

}  // namespace
}  // namespace veil::fhe
