// Key switching. The group's accumulation of key rows runs in the kernel of cpu_kernels()
// (AVX-512 tiles, or a plain loop vectorised for AVX2); the single key switch (any base log, off
// the batch path) stays a plain loop here.
#include "veil/fhe/keyswitch.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "fhe/commons/scratch.hpp"
#include "fhe/cpu/cpu_kernels.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe {

namespace {
void check_shapes(const KeyswitchKey& key, LweConstView in, LweConstView out) {
  const std::size_t n_in = key.input_lwe_dimension().value;
  const std::size_t n_out = key.output_lwe_dimension().value;
  if (in.size() != n_in + 1 || out.size() != n_out + 1) {
    throw InvalidArgument("keyswitch: input of " + std::to_string(in.size()) + " values and output of " +
                          std::to_string(out.size()) + ", expected " + std::to_string(n_in + 1) + " and " +
                          std::to_string(n_out + 1) + " (key " + std::to_string(n_in) + " -> " + std::to_string(n_out) +
                          ")");
  }
}
}  // namespace

void keyswitch(const KeyswitchKey& key, LweConstView in, LweView out) {
  check_shapes(key, in, out);
  const std::size_t n_in = key.input_lwe_dimension().value;
  const std::size_t n_out = key.output_lwe_dimension().value;
  const SignedDecomposer decomposer(key.base_log(), key.level_count());
  const std::size_t levels = key.level_count().value;
  std::array<std::int64_t, 64> digits{};
  std::fill(out.begin(), out.end(), Torus{0});
  out[n_out] = in[n_in];
  Torus* __restrict acc = out.data();
  for (std::size_t i = 0; i < n_in; ++i) {
    decomposer.decompose(in[i], digits.data());
    for (std::size_t j = 0; j < levels; ++j) {
      if (digits[j] == 0) continue;
      const auto d = static_cast<Torus>(digits[j]);
      const Torus* __restrict row = key.row(i, j).data();
      for (std::size_t c = 0; c <= n_out; ++c) acc[c] -= d * row[c];
    }
  }
}

std::size_t keyswitch_group_scratch_size(const KeyswitchKey& key, std::size_t count) {
  return detail::ScratchSize()
      .add<std::int8_t>(key.input_lwe_dimension().value * key.level_count().value * count)
      .add<std::int64_t>(cpu::kKeyswitchTileRows * count)  // one tile's digits, widened (AVX-512)
      .add<Torus*>(count)                                  // accumulator pointers
      .total();
}

void keyswitch_group(const KeyswitchKey& key, std::span<const LweConstView> in, std::span<const LweView> out,
                     std::span<std::byte> scratch) {
  const std::size_t count = in.size();
  if (out.size() != count) {
    throw InvalidArgument("keyswitch_group: " + std::to_string(count) + " inputs and " + std::to_string(out.size()) +
                          " outputs");
  }
  for (std::size_t g = 0; g < count; ++g) check_shapes(key, in[g], out[g]);
  const std::size_t n_in = key.input_lwe_dimension().value;
  const std::size_t n_out = key.output_lwe_dimension().value;
  const std::size_t levels = key.level_count().value;
  // Digits are kept as int8 (every vetted key-switching base log is <= 8).
  if (key.base_log().value > 8) {
    throw InvalidArgument("keyswitch_group: base log " + std::to_string(key.base_log().value) + " > 8");
  }
  detail::ScratchCursor cursor(scratch, keyswitch_group_scratch_size(key, count), "keyswitch_group");
  auto* digits = cursor.take<std::int8_t>(n_in * levels * count);
  const SignedDecomposer decomposer(key.base_log(), key.level_count());
  std::array<std::int64_t, 64> one{};
  for (std::size_t g = 0; g < count; ++g) {
    for (std::size_t i = 0; i < n_in; ++i) {
      decomposer.decompose(in[g][i], one.data());
      for (std::size_t j = 0; j < levels; ++j) digits[(i * levels + j) * count + g] = static_cast<std::int8_t>(one[j]);
    }
    std::fill(out[g].begin(), out[g].end(), Torus{0});
    out[g][n_out] = in[g][n_in];
  }
  auto* wide = cursor.take<std::int64_t>(cpu::kKeyswitchTileRows * count);
  auto** accs = cursor.take<Torus*>(count);
  for (std::size_t g = 0; g < count; ++g) accs[g] = out[g].data();
  cpu::cpu_kernels().keyswitch_accumulate(
      cpu::KeyswitchTerms{key.data().data(), n_in * levels, n_out + 1, digits, count, accs, wide});
}

}  // namespace veil::fhe
