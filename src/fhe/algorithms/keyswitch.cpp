// The plain loops below vectorise; GCC's default 256-bit preference would halve their width
// (and keep vpmullq at 4 lanes) on AVX-512 machines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("prefer-vector-width=512")
#endif
#include "veil/fhe/keyswitch.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "fhe/commons/scratch.hpp"
#include "fhe/cpu/keyswitch_kernel.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe {

namespace {
#if !(defined(__AVX512F__) && defined(__AVX512DQ__))
// Output values per column block of keyswitch_group: a block of every accumulator of a
// 16-ciphertext group (16 x 2 KiB) stays in L1 while the key rows stream past.
constexpr std::size_t kColumnBlock = 256;
#endif

void check_shapes(const KeyswitchKey& key, LweConstView in, LweConstView out) {
  const std::size_t n_in = key.input_lwe_dimension().value;
  const std::size_t n_out = key.output_lwe_dimension().value;
  if (in.size() != n_in + 1 || out.size() != n_out + 1) {
    throw InvalidArgument("keyswitch: input of " + std::to_string(in.size()) + " values and output of " +
                          std::to_string(out.size()) + ", expected " + std::to_string(n_in + 1) + " and " +
                          std::to_string(n_out + 1) + " (key " + std::to_string(n_in) + " -> " +
                          std::to_string(n_out) + ")");
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
#if defined(__AVX512F__) && defined(__AVX512DQ__)
      .add<std::int64_t>(detail::kKeyswitchTileRows * count)  // one tile's digits, widened
      .add<Torus*>(count)                                       // accumulator pointers
#endif
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
#if defined(__AVX512F__) && defined(__AVX512DQ__)
  // Tiles of consecutive key rows (row r = i * levels + j), each read once from memory.
  auto* wide = cursor.take<std::int64_t>(detail::kKeyswitchTileRows * count);
  auto** accs = cursor.take<Torus*>(count);
  for (std::size_t g = 0; g < count; ++g) accs[g] = out[g].data();
  const std::size_t rows = n_in * levels;
  for (std::size_t r0 = 0; r0 < rows; r0 += detail::kKeyswitchTileRows) {
    const std::size_t tile = std::min(detail::kKeyswitchTileRows, rows - r0);
    for (std::size_t t = 0; t < tile * count; ++t) wide[t] = digits[r0 * count + t];
    detail::keyswitch_tile(key.data().data() + r0 * (n_out + 1), n_out + 1, tile, wide, count, accs, n_out + 1);
  }
#else
  for (std::size_t begin = 0; begin <= n_out; begin += kColumnBlock) {
    const std::size_t width = std::min(kColumnBlock, n_out + 1 - begin);
    for (std::size_t i = 0; i < n_in; ++i) {
      for (std::size_t j = 0; j < levels; ++j) {
        const Torus* __restrict row = key.row(i, j).data() + begin;
        const std::int8_t* d = digits + (i * levels + j) * count;
        for (std::size_t g = 0; g < count; ++g) {
          if (d[g] == 0) continue;
          const auto digit = static_cast<Torus>(static_cast<std::int64_t>(d[g]));
          Torus* __restrict acc = out[g].data() + begin;
          for (std::size_t c = 0; c < width; ++c) acc[c] -= digit * row[c];
        }
      }
    }
  }
#endif
}

}  // namespace veil::fhe
