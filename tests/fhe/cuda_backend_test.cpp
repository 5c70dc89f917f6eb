// The CUDA backend (src/fhe/cuda/, docs/cuda_backend.md) against the CPU backend, in two parts:
//  - CudaHostModel.*: run everywhere. The device pipeline's per-thread steps (device_steps.hpp,
//    the code inside the kernels) executed on the host for every thread index, with a plain FFT
//    in place of cuFFT, plus the key's reordering for cuFFT: they must decrypt like the CPU backend
//    (key switching bit for bit). What they cannot check is the CUDA plumbing around the steps.
//  - CudaFusedEmulator.*: run everywhere. The fused kernel's block body (fused_pbs.hpp) under the
//    host block emulator: its shared-memory FFT against the CPU's, and whole PBS batches that must
//    decrypt like the CPU backend, independently of the block size and of the thread order.
//  - CudaBackend.*: the real backend on a GPU, skipped (with the reason: no CUDA in this build,
//    or no device visible) when cuda_backend_available() is false.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdlib>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "engine_test_keys.hpp"
#include "linear_batch_cases.hpp"
#include "fhe/cpu/negacyclic_fft.hpp"
#include "fhe/cuda/ciphertext_copies.hpp"
#include "fhe/cuda/device_steps.hpp"
#include "fhe/cuda/fourier_layout.hpp"
#include "fhe/cuda/fused_pbs.hpp"
#include "fhe/cuda/keyswitch_block.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/cuda_backend.hpp"
#include "veil/fhe/decomposition.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/modulus_switch.hpp"
#include "veil/fhe/nested_key_ciphertexts.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

using cuda::Complex;
using testing::describe;
using testing::engine_keys;

// ---------------------------------------------------------------------------------------------
// Shared helpers: clear tables, encrypted inputs, decryption.

/// Expected output codes of a table over p-bit inputs, and the precision they are encoded at.
struct ClearTable {
  std::vector<std::int64_t> codes;
  int output_bits;
};

enum class TableKind { identity, relu_offset, random, rescale };
constexpr TableKind kAllTables[] = {TableKind::identity, TableKind::relu_offset, TableKind::random, TableKind::rescale};

ClearTable clear_table(TableKind kind, int p) {
  const std::int64_t size = std::int64_t{1} << p;
  ClearTable t{std::vector<std::int64_t>(static_cast<std::size_t>(size)), kind == TableKind::rescale ? p + 1 : p};
  Csprng rng = Csprng::from_seed_insecure_for_tests(3000 + static_cast<std::uint64_t>(p));
  for (std::int64_t x = 0; x < size; ++x) {
    auto& out = t.codes[static_cast<std::size_t>(x)];
    switch (kind) {
      case TableKind::identity: out = x; break;
      case TableKind::relu_offset: out = std::max<std::int64_t>(x - size / 2, 0); break;
      case TableKind::random: out = static_cast<std::int64_t>(rng.uniform() % static_cast<Torus>(size)); break;
      case TableKind::rescale: out = (3 * x) % (2 * size); break;
    }
  }
  return t;
}

LookupTable lookup_table(const ClearTable& t, const ParameterSet& params, int p) {
  std::vector<Torus> outputs;
  for (std::int64_t c : t.codes) outputs.push_back(encode_message(c, t.output_bits, Signedness::unsigned_code));
  return make_lookup_table(params.polynomial_size, p, outputs);
}

/// Big-key encryptions of codes[i] at p bits.
LweCiphertextArray encrypt_codes(const ClientKey& client, const ParameterSet& params, int p,
                                 const std::vector<std::int64_t>& codes, std::uint64_t seed) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
  LweCiphertextArray out(codes.size(), params.big_lwe_dimension());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    encrypt_lwe(client, LweKeyKind::big, encode_message(codes[i], p, Signedness::unsigned_code), rng, out[i]);
  }
  return out;
}

std::vector<std::int64_t> decrypt_all(const ClientKey& client, const LweCiphertextArray& cts,
                                      const std::vector<int>& bits) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < cts.size(); ++i) {
    out.push_back(decrypt_message(client, cts[i], bits[i], Signedness::unsigned_code));
  }
  return out;
}

/// A batch that exercises per-ciphertext tables: every input code with every kind of table.
struct TableBatch {
  std::vector<LookupTable> tables;
  std::vector<const LookupTable*> per_ciphertext;
  std::vector<std::int64_t> inputs, expected;
  std::vector<int> output_bits;
};

TableBatch every_input_every_table(const ParameterSet& params, int p) {
  TableBatch batch;
  std::vector<ClearTable> clear;
  for (TableKind kind : kAllTables) {
    clear.push_back(clear_table(kind, p));
    batch.tables.push_back(lookup_table(clear.back(), params, p));
  }
  for (std::size_t t = 0; t < clear.size(); ++t) {
    for (std::size_t x = 0; x < clear[t].codes.size(); ++x) {
      batch.per_ciphertext.push_back(&batch.tables[t]);
      batch.inputs.push_back(static_cast<std::int64_t>(x));
      batch.expected.push_back(clear[t].codes[x]);
      batch.output_bits.push_back(clear[t].output_bits);
    }
  }
  return batch;
}

cuda::PbsShape pbs_shape(const ParameterSet& p) {
  return cuda::PbsShape{
      static_cast<std::uint32_t>(p.lwe_dimension.value), static_cast<std::uint32_t>(p.glwe_dimension.value),
      static_cast<std::uint32_t>(p.polynomial_size.value), static_cast<std::uint32_t>(p.pbs_base_log.value),
      static_cast<std::uint32_t>(p.pbs_level.value)};
}

cuda::KeyswitchShape keyswitch_shape(const KeyswitchKey& key) {
  return cuda::KeyswitchShape{static_cast<std::uint32_t>(key.input_lwe_dimension().value),
                              static_cast<std::uint32_t>(key.output_lwe_dimension().value),
                              static_cast<std::uint32_t>(key.base_log().value),
                              static_cast<std::uint32_t>(key.level_count().value)};
}

// ---------------------------------------------------------------------------------------------
// The host model of the device pipeline.

/// In-place unnormalised complex DFT of `points` values in natural order, exponent sign `sign`
/// (-1: cuFFT's CUFFT_FORWARD, +1: CUFFT_INVERSE).
void host_fft(Complex* data, std::size_t points, int sign) {
  for (std::size_t i = 0; i < points; ++i) {
    const std::size_t j = cuda::bit_reversed(i, points);
    if (i < j) std::swap(data[i], data[j]);
  }
  for (std::size_t span = 1; span < points; span *= 2) {
    for (std::size_t j = 0; j < span; ++j) {
      const long double angle =
          sign * std::numbers::pi_v<long double> * static_cast<long double>(j) / static_cast<long double>(span);
      const double wr = static_cast<double>(std::cos(angle)), wi = static_cast<double>(std::sin(angle));
      for (std::size_t b = 0; b < points; b += 2 * span) {
        Complex& u = data[b + j];
        Complex& v = data[b + j + span];
        const Complex t{v.re * wr - v.im * wi, v.re * wi + v.im * wr};
        v = Complex{u.re - t.re, u.im - t.im};
        u = Complex{u.re + t.re, u.im + t.im};
      }
    }
  }
}

/// Key switching as the kernel runs it: every (group, column) thread.
template <class Store>
void host_keyswitch(const KeyswitchKey& key, const LweCiphertextArray& inputs, Store store,
                    const cuda::HostBlock& block = cuda::HostBlock{cuda::kKeyswitchThreads}) {
  const cuda::KeyswitchShape s = keyswitch_shape(key);
  const std::size_t groups = (inputs.size() + cuda::kKeyswitchGroup - 1) / cuda::kKeyswitchGroup;
  cuda::KeyswitchShared shared{};
  for (std::size_t group = 0; group < groups; ++group) {
    for (std::uint32_t first_column = 0; first_column <= s.n_out; first_column += block.threads) {
      cuda::keyswitch_block(s, key.data().data(), inputs.data().data(), inputs.size(), group, first_column, shared,
                            block, store);
    }
  }
}

/// Key switching and modulus switching as the backend runs them (switch_chunk): one kernel for the
/// standard switch; for the centred one, the key-switched ciphertexts and then a thread each.
std::vector<std::uint32_t> host_switch(const ServerKey& key, const LweCiphertextArray& inputs) {
  const cuda::PbsShape s = pbs_shape(key.parameters());
  const std::size_t row = std::size_t{s.n} + 1;
  std::vector<std::uint32_t> switched(inputs.size() * row);
  if (key.parameters().modulus_switch_kind == ModulusSwitchKind::Standard) {
    host_keyswitch(key.keyswitch_key(), inputs, [&](std::size_t c, std::uint32_t column, Torus value) {
      switched[c * row + column] = cuda::modulus_switch(value, s.N);
    });
    return switched;
  }
  std::vector<Torus> small(inputs.size() * row);
  host_keyswitch(key.keyswitch_key(), inputs,
                 [&](std::size_t c, std::uint32_t column, Torus value) { small[c * row + column] = value; });
  for (std::size_t c = 0; c < inputs.size(); ++c) {
    cuda::centered_modulus_switch_thread(s.n, s.N, small.data(), c, switched.data());
  }
  return switched;
}

/// The parameter optimizer's set with the centred switch for 3 bits at 2^-40 on k = 1, N = 2^log2_n.
const ParameterSet& centred_switch_set_at(int log2_n) {
  PbsRequirement r;
  r.precision_bits = 3;
  r.p_error = 0x1p-40;
  r.glwe_dimension = 1;
  r.log2_polynomial_size = log2_n;
  r.modulus_switch_kind = ModulusSwitchKind::CenteredMean;
  return parameter_set_by_name(optimize_parameter_set(r, CostModel::concrete_v0).set.name);
}

/// Small enough for the host model and the fused kernel (N = 1024).
const ParameterSet& centred_switch_set() { return centred_switch_set_at(10); }

/// At N = 2048 the set has one decomposition level, as the improved mode's cheapest sets (the
/// max-pool's, PBS 1 x 2^23) since session 18.
const ParameterSet& one_level_set() { return centred_switch_set_at(11); }

/// programmable_bootstrap_batch as the CUDA backend runs it, one step after another over every
/// thread index, the FFTs by host_fft.
void host_model_pbs(const ServerKey& key, const LweCiphertextArray& inputs,
                    const std::vector<const LookupTable*>& tables, LweCiphertextArray& outputs) {
  const cuda::PbsShape s = pbs_shape(key.parameters());
  const std::size_t count = inputs.size();
  const std::size_t h = s.half();
  std::vector<Complex> ggsws(s.n * s.ggsw_complex());
  for (std::size_t p = 0; p < ggsws.size() / h; ++p) {
    cuda::to_natural_order(key.bootstrap_key().data().data() + p * s.N, h, ggsws.data() + p * h);
  }
  const NegacyclicFft::Tables& fft_tables = NegacyclicFft::for_size(PolynomialSize(s.N)).tables();
  std::vector<Complex> twist(h), untwist(h);
  for (std::size_t q = 0; q < h; ++q) {
    twist[q] = Complex{fft_tables.twist_re[q], fft_tables.twist_im[q]};
    untwist[q] = Complex{fft_tables.untwist_re[q], fft_tables.untwist_im[q]};
  }
  std::vector<Torus> table_data;
  std::vector<std::uint32_t> table_index;
  for (const LookupTable* t : tables) {
    table_index.push_back(static_cast<std::uint32_t>(table_index.size()));
    table_data.insert(table_data.end(), t->polynomial().begin(), t->polynomial().end());
  }

  const std::vector<std::uint32_t> switched = host_switch(key, inputs);
  std::vector<Torus> accs(count * s.glwe_size());
  for (std::size_t thread = 0; thread < count * s.N; ++thread) {
    cuda::load_table_thread(s, table_data.data(), table_index.data(), switched.data(), thread, accs.data());
  }
  std::vector<Complex> fft(count * s.rows() * h), prod(count * (s.k + 1) * h);
  const std::size_t threads = s.polynomial_threads(count);
  for (std::uint32_t t = 0; t < s.n; ++t) {
    for (std::size_t i = 0; i < threads; ++i) {
      cuda::rotate_decompose_thread(s, t, switched.data(), accs.data(), twist.data(), i, fft.data());
    }
    for (std::size_t p = 0; p < count * s.rows(); ++p) host_fft(fft.data() + p * h, h, -1);
    for (std::size_t i = 0; i < threads; ++i) {
      cuda::fourier_mac_thread(s, t, switched.data(), fft.data(), ggsws.data() + t * s.ggsw_complex(), i, prod.data());
    }
    for (std::size_t p = 0; p < count * (s.k + 1); ++p) host_fft(prod.data() + p * h, h, +1);
    for (std::size_t i = 0; i < threads; ++i) {
      cuda::untwist_add_thread(s, t, switched.data(), prod.data(), untwist.data(), i, accs.data());
    }
  }
  for (std::size_t thread = 0; thread < count * s.big_lwe_size(); ++thread) {
    cuda::sample_extract_thread(s, accs.data(), thread, outputs.data().data());
  }
}

// The cuFFT path's carry chain (next_digit) and the fused kernel's closed form (digit_at_level).
TEST(CudaHostModel, DigitsEqualSignedDecomposer) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(11);
  const std::pair<std::size_t, std::size_t> decompositions[] = {{1, 1},  {4, 5}, {10, 3}, {23, 1}, {15, 2},
                                                                {2, 11}, {7, 9}, {31, 2}, {1, 63}};
  for (const auto& [base_log, levels] : decompositions) {
    const SignedDecomposer decomposer{DecompositionBaseLog(base_log), DecompositionLevelCount(levels)};
    std::vector<std::int64_t> expected(levels);
    for (int trial = 0; trial < 1000; ++trial) {
      const Torus x = trial < 4 ? Torus{0} - static_cast<Torus>(trial) : rng.uniform();  // 0 and values near 2^64
      decomposer.decompose(x, expected.data());
      Torus state =
          cuda::decomposition_state(x, static_cast<std::uint32_t>(base_log), static_cast<std::uint32_t>(levels));
      const Torus offset =
          cuda::balanced_digit_offset(static_cast<std::uint32_t>(base_log), static_cast<std::uint32_t>(levels));
      for (std::size_t j = levels; j-- > 0;) {
        ASSERT_EQ(cuda::next_digit(state, static_cast<std::uint32_t>(base_log)), expected[j])
            << "x=" << x << ", base_log " << base_log << ", level " << j << " of " << levels;
        ASSERT_EQ(cuda::digit_at_level(x, static_cast<std::uint32_t>(base_log), static_cast<std::uint32_t>(levels),
                                       static_cast<std::uint32_t>(j), offset),
                  expected[j])
            << "fused kernel's digit: x=" << x << ", base_log " << base_log << ", level " << j << " of " << levels;
      }
    }
  }
}

TEST(CudaHostModel, ModulusSwitchEqualsCpu) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(12);
  for (std::size_t N : {256u, 2048u, 32768u}) {
    for (int trial = 0; trial < 1000; ++trial) {
      const Torus x = rng.uniform();
      ASSERT_EQ(cuda::modulus_switch(x, static_cast<std::uint32_t>(N)), modulus_switch_value(x, PolynomialSize(N)))
          << "x=" << x << ", N=" << N;
    }
  }
}

// The centred switch's device step against the CPU's, including n > 2N (600 values at N = 256),
// where the signed sum of the rounding errors passes 2^63.
TEST(CudaHostModel, CenteredModulusSwitchEqualsCpu) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(13);
  for (const auto& [n, N] : {std::pair{600u, 256u}, std::pair{880u, 2048u}, std::pair{1u, 32768u}}) {
    const std::size_t count = 50, row = std::size_t{n} + 1;
    std::vector<Torus> small(count * row);
    rng.fill_uniform(small);
    std::vector<std::uint32_t> device(count * row);
    for (std::size_t c = 0; c < count; ++c) cuda::centered_modulus_switch_thread(n, N, small.data(), c, device.data());
    std::vector<Torus> cpu(row);
    for (std::size_t c = 0; c < count; ++c) {
      centered_modulus_switch(LweConstView(small.data() + c * row, row), PolynomialSize(N), cpu);
      for (std::size_t i = 0; i < row; ++i) {
        ASSERT_EQ(device[c * row + i], cpu[i]) << "ciphertext " << c << ", value " << i << ", n " << n << ", N " << N;
      }
    }
  }
}

// The reordered key must hold, at natural-order point q, the polynomial's value at the q-th
// point of the complex DFT that cuFFT computes: sum_j (a_j + i*a_{j+N/2}) w^j e^(-2*pi*i*j*q/(N/2)).
TEST(CudaHostModel, NaturalOrderMatchesDirectTransform) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(13);
  for (std::size_t N : {16u, 64u, 2048u}) {
    const std::size_t h = N / 2;
    const NegacyclicFft& fft = NegacyclicFft::for_size(PolynomialSize(N));
    std::vector<std::int64_t> poly(N);
    for (auto& a : poly) a = static_cast<std::int64_t>(rng.uniform() % 2048) - 1024;
    AlignedVector<double> cpu(N);
    fft.forward(poly.data(), cpu.data());
    std::vector<Complex> natural(h);
    cuda::to_natural_order(cpu.data(), h, natural.data());
    const long double pi = std::numbers::pi_v<long double>;
    for (std::size_t q = 0; q < h; ++q) {
      std::complex<long double> sum = 0;
      for (std::size_t j = 0; j < h; ++j) {
        const std::complex<long double> z(static_cast<long double>(poly[j]), static_cast<long double>(poly[j + h]));
        const long double angle = pi * static_cast<long double>(j) / static_cast<long double>(N) -
                                  2 * pi * static_cast<long double>((j * q) % h) / static_cast<long double>(h);
        sum += z * std::polar(1.0L, angle);
      }
      ASSERT_NEAR(natural[q].re, static_cast<double>(sum.real()), 1e-6) << "N=" << N << ", q=" << q;
      ASSERT_NEAR(natural[q].im, static_cast<double>(sum.imag()), 1e-6) << "N=" << N << ", q=" << q;
    }
  }
}

// The key-switching block against the CPU, bit for bit: a toy set and the ResNet-18 set (k*N =
// 4096 -> 823, 8 levels of 2 bits: a tile of 64 coefficients), 13 ciphertexts (not a multiple of
// the group), at the device's 128 threads and, in reverse thread order, at 48 and at 1,000 (more
// threads than columns: a missing barrier or a column written twice shows as a difference).
TEST(CudaHostModel, KeyswitchEqualsCpuBitForBit) {
  for (const ParameterSet* params : {&insecure_toy_parameter_set(3), &parameter_set_by_name("v0_128_p5_L14_pe2m40")}) {
    const auto& keys = engine_keys(*params);
    const KeyswitchKey& ksk = keys.server.keyswitch_key();
    constexpr std::size_t kCount = 13;
    Csprng rng = Csprng::from_seed_insecure_for_tests(14);
    LweCiphertextArray inputs(kCount, params->big_lwe_dimension()), cpu(kCount, params->lwe_dimension);
    for (std::size_t i = 0; i < kCount; ++i) rng.fill_uniform(inputs[i]);
    keyswitch_batch(ksk, inputs, cpu, testing::test_thread_pool());
    for (const cuda::HostBlock block :
         {cuda::HostBlock{cuda::kKeyswitchThreads, false}, cuda::HostBlock{48, true}, cuda::HostBlock{1000, true}}) {
      LweCiphertextArray model(kCount, params->lwe_dimension);
      host_keyswitch(
          ksk, inputs, [&](std::size_t c, std::uint32_t column, Torus value) { model[c][column] = value; }, block);
      for (std::size_t i = 0; i < kCount; ++i) {
        ASSERT_TRUE(std::equal(cpu[i].begin(), cpu[i].end(), model[i].begin()))
            << "ciphertext " << i << ", " << describe(*params) << ", " << block.threads << " threads";
      }
    }
  }
}

/// plan_ciphertext_copy run as cudaMemcpy2DAsync and cudaMemset2DAsync would run it, on host
/// arrays (pitches and widths in values).
void apply_copy_plan(const cuda::CiphertextCopyPlan& plan, const Torus* src, Torus* dst) {
  for (std::size_t i = 0; i < plan.copy_count; ++i) {
    const cuda::StridedCopy& c = plan.copies[i];
    for (std::size_t row = 0; row < c.rows; ++row) {
      std::copy_n(src + c.src_offset + row * c.src_pitch, c.width, dst + c.dst_offset + row * c.dst_pitch);
    }
  }
  const cuda::StridedCopy& z = plan.zero;
  for (std::size_t row = 0; row < z.rows; ++row) std::fill_n(dst + z.dst_offset + row * z.dst_pitch, z.width, Torus{0});
}

// The copies the CUDA backend makes between a resident array's wider nested key and a PBS's own
// key equal restrict_to_prefix_key and extend_to_wider_key, into poisoned destinations.
TEST(CudaHostModel, NestedKeyCopiesEqualRestrictAndExtend) {
  constexpr std::size_t kCount = 5;
  for (const auto [narrow, wide] : {std::pair{6u, 9u}, std::pair{7u, 7u}, std::pair{1u, 4u}}) {
    Csprng rng = Csprng::from_seed_insecure_for_tests(narrow * 16 + wide);
    LweCiphertextArray under_narrow(kCount, LweDimension(narrow));
    for (std::size_t i = 0; i < kCount; ++i) rng.fill_uniform(under_narrow[i]);
    LweCiphertextArray expected_wide(kCount, LweDimension(wide));
    extend_to_wider_key(under_narrow, expected_wide);
    LweCiphertextArray padded(kCount, LweDimension(wide)), restricted(kCount, LweDimension(narrow));
    std::ranges::fill(padded.data(), Torus{0xDEADBEEF});
    std::ranges::fill(restricted.data(), Torus{0xDEADBEEF});
    apply_copy_plan(cuda::plan_ciphertext_copy(kCount, narrow + 1, wide + 1), under_narrow.data().data(),
                    padded.data().data());
    EXPECT_TRUE(std::ranges::equal(padded.data(), expected_wide.data())) << narrow << " -> " << wide;
    apply_copy_plan(cuda::plan_ciphertext_copy(kCount, wide + 1, narrow + 1), expected_wide.data().data(),
                    restricted.data().data());
    EXPECT_TRUE(
        std::ranges::equal(restricted.data(), restrict_to_prefix_key(expected_wide, LweDimension(narrow)).data()))
        << wide << " -> " << narrow;
  }
  EXPECT_EQ(cuda::plan_ciphertext_copy(0, 5, 9).copy_count, 0u);
}

/// The host model and the CPU backend on the same batch: every output decrypts to the table's
/// value, and to what the CPU backend's output decrypts to.
void expect_host_model_decrypts_like_cpu(const ParameterSet& params, int p) {
  const auto& keys = engine_keys(params);
  const TableBatch batch = every_input_every_table(params, p);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, batch.inputs, 15);
  LweCiphertextArray cpu(inputs.size(), params.big_lwe_dimension()), model(inputs.size(), params.big_lwe_dimension());
  programmable_bootstrap_batch(keys.server, inputs, batch.per_ciphertext, cpu, testing::test_thread_pool());
  host_model_pbs(keys.server, inputs, batch.per_ciphertext, model);
  const auto cpu_read = decrypt_all(keys.client, cpu, batch.output_bits);
  const auto model_read = decrypt_all(keys.client, model, batch.output_bits);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(model_read[i], cpu_read[i])
        << "ciphertext " << i << ", input " << batch.inputs[i] << ", " << describe(params);
    EXPECT_EQ(model_read[i], batch.expected[i]) << "ciphertext " << i << ", input " << batch.inputs[i];
  }
}

TEST(CudaHostModel, PbsDecryptsLikeCpuToyP3) { expect_host_model_decrypts_like_cpu(insecure_toy_parameter_set(3), 3); }

TEST(CudaHostModel, PbsDecryptsLikeCpuCentredSwitch) { expect_host_model_decrypts_like_cpu(centred_switch_set(), 3); }

// k = 5, N = 256: the (k+1)-strided indexing that k = 1 would hide. A loose set, but both backends
// read the same key-switched, modulus-switched phase, so they agree even where it is misread;
// the 16 inputs of this seed all read right.
TEST(CudaHostModel, PbsDecryptsLikeCpuGlweDimension5) {
  expect_host_model_decrypts_like_cpu(vetted_parameter_set(2, ErrorTarget::loose, 0), 2);
}

// ---------------------------------------------------------------------------------------------
// The fused kernel's block body under the host block emulator.

/// The fused kernel's tables for N: twist, untwist and stage twiddles of the CPU FFT.
struct FusedTables {
  std::vector<Complex> twist, untwist, stage;
};

FusedTables fused_tables(std::size_t N) {
  const NegacyclicFft::Tables& t = NegacyclicFft::for_size(PolynomialSize(N)).tables();
  FusedTables out;
  for (std::size_t q = 0; q < N / 2; ++q) {
    out.twist.push_back(Complex{t.twist_re[q], t.twist_im[q]});
    out.untwist.push_back(Complex{t.untwist_re[q], t.untwist_im[q]});
    out.stage.push_back(Complex{t.stage_re[q], t.stage_im[q]});
  }
  return out;
}

/// programmable_bootstrap_batch as the fused CUDA path runs it: the key-switching threads, then
/// for each ciphertext the fused block body, every phase run by `block` over its thread indices.
void emulate_fused_pbs(const ServerKey& key, const LweCiphertextArray& inputs,
                       const std::vector<const LookupTable*>& tables, LweCiphertextArray& outputs,
                       const cuda::HostBlock& block) {
  const cuda::PbsShape s = pbs_shape(key.parameters());
  const std::size_t h = s.half();
  std::vector<Complex> ggsws(s.n * s.ggsw_complex());
  for (std::size_t p = 0; p < ggsws.size() / h; ++p) {
    cuda::to_fused_order(key.bootstrap_key().data().data() + p * s.N, h, ggsws.data() + p * h);
  }
  const FusedTables fft = fused_tables(s.N);
  std::vector<Torus> table_data;
  std::vector<std::uint32_t> table_index;
  for (const LookupTable* t : tables) {
    table_index.push_back(static_cast<std::uint32_t>(table_index.size()));
    table_data.insert(table_data.end(), t->polynomial().begin(), t->polynomial().end());
  }
  const std::vector<std::uint32_t> switched = host_switch(key, inputs);
  const cuda::FusedPbsArgs args{s,
                                ggsws.data(),
                                fft.twist.data(),
                                fft.untwist.data(),
                                fft.stage.data(),
                                table_data.data(),
                                table_index.data(),
                                switched.data(),
                                outputs.data().data()};
  // Each thread owns fused_points_per_thread points of every accumulator: fewer threads would leave points out.
  ASSERT_GE(std::size_t{block.threads} * cuda::fused_points_per_thread(s), h) << block.threads << " threads";
  std::vector<Complex> shared(cuda::fused_shared_bytes(s) / sizeof(Complex));  // 16-byte aligned
  const cuda::FusedShared sh = cuda::carve_fused_shared(reinterpret_cast<unsigned char*>(shared.data()), s);
  bool ran = false;
  cuda::with_fused_components(s.k, [&](auto components) {
    for (std::size_t b = 0; b < inputs.size(); ++b) {
      cuda::fused_pbs_block<decltype(components)::value>(args, b, sh, block);
    }
    ran = true;
  });
  ASSERT_TRUE(ran) << "no fused kernel for k = " << s.k;
}

/// A whole forward (or inverse) transform of `count` h-point arrays under the emulator, pass by
/// pass as the kernel runs it, on padded shared memory (fused_padded).
void emulate_fft(bool forward, std::vector<Complex>& x, std::uint32_t count, std::uint32_t h, const Complex* stage,
                 const cuda::HostBlock& block) {
  std::vector<Complex> shared(cuda::fused_padded(count * h));
  for (std::uint32_t i = 0; i < count * h; ++i) shared[cuda::fused_padded(i)] = x[i];
  const auto load = [&](std::uint32_t i) { return shared[cuda::fused_padded(i)]; };
  const auto store = [&](std::uint32_t i, const Complex& v) { shared[cuda::fused_padded(i)] = v; };
  for (unsigned pass = 0; pass < cuda::fft_pass_count(h); ++pass) {
    block.phase([&](unsigned tid, unsigned threads) {
      if (forward) {
        cuda::fft_pass<true>(count, h, pass, stage, tid, threads, load, store);
      } else {
        cuda::fft_pass<false>(count, h, pass, stage, tid, threads, load, store);
      }
    });
  }
  for (std::uint32_t i = 0; i < count * h; ++i) x[i] = shared[cuda::fused_padded(i)];
}

// The shared-memory FFT, emulated with two block sizes (one in reverse thread order), against the
// CPU's transforms: the forward on twisted random polynomials against forward_scalar and the
// AVX-512 forward (same order, so point for point), the inverse with the fused untwist and rounding
// against backward_scalar, on two arrays at once as the kernel runs it for k+1 components.
TEST(CudaFusedEmulator, SharedMemoryFftMatchesCpuFft) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(31);
  for (std::size_t N : {512u, 1024u, 2048u, 4096u}) {
    const std::size_t h = N / 2;
    const NegacyclicFft& cpu = NegacyclicFft::for_size(PolynomialSize(N));
    const FusedTables tables = fused_tables(N);
    for (const cuda::HostBlock block : {cuda::HostBlock{256, false}, cuda::HostBlock{96, true}}) {
      std::vector<std::int64_t> poly(N);
      for (auto& a : poly) a = static_cast<std::int64_t>(rng.uniform() % 1024) - 512;  // digit-sized
      AlignedVector<double> scalar(N), simd(N);
      cpu.forward_scalar(poly.data(), scalar.data());
      cpu.forward(poly.data(), simd.data());
      std::vector<Complex> x(h);
      for (std::size_t q = 0; q < h; ++q) {
        const double a = static_cast<double>(poly[q]), b = static_cast<double>(poly[q + h]);
        const Complex w = tables.twist[q];
        x[q] = Complex{a * w.re - b * w.im, a * w.im + b * w.re};
      }
      emulate_fft(true, x, 1, static_cast<std::uint32_t>(h), tables.stage.data(), block);
      double scale = 0;
      for (double v : scalar) scale = std::max(scale, std::abs(v));
      for (std::size_t p = 0; p < h; ++p) {
        ASSERT_NEAR(x[p].re, scalar[p], 1e-9 * scale) << "N=" << N << ", point " << p;
        ASSERT_NEAR(x[p].im, scalar[h + p], 1e-9 * scale) << "N=" << N << ", point " << p;
        ASSERT_NEAR(x[p].re, simd[p], 1e-9 * scale) << "N=" << N << ", point " << p;
        ASSERT_NEAR(x[p].im, simd[h + p], 1e-9 * scale) << "N=" << N << ", point " << p;
      }

      // Inverse: Fourier buffers of products of two polynomials (coefficients up to ~2^50).
      std::vector<AlignedVector<double>> fourier;
      std::vector<Complex> y(2 * h);
      for (std::size_t c = 0; c < 2; ++c) {
        std::vector<std::int64_t> big(N);
        for (auto& a : big) a = static_cast<std::int64_t>(rng.uniform() >> 24) - (std::int64_t{1} << 39);
        AlignedVector<double> f(N), g(N);
        cpu.forward_scalar(big.data(), f.data());
        cpu.forward_scalar(poly.data(), g.data());
        for (std::size_t p = 0; p < h; ++p) {
          y[c * h + p] = Complex{f[p] * g[p] - f[h + p] * g[h + p], f[p] * g[h + p] + f[h + p] * g[p]};
          f[p] = y[c * h + p].re;
          f[h + p] = y[c * h + p].im;
        }
        fourier.push_back(std::move(f));
      }
      emulate_fft(false, y, 2, static_cast<std::uint32_t>(h), tables.stage.data(), block);
      for (std::size_t c = 0; c < 2; ++c) {
        std::vector<Torus> expected(N);
        cpu.backward_scalar(fourier[c].data(), expected.data(), false);
        for (std::size_t q = 0; q < h; ++q) {
          const Complex z = y[c * h + q], u = tables.untwist[q];
          const Torus lo = cuda::to_torus(z.re * u.re + z.im * u.im);
          const Torus hi = cuda::to_torus(z.im * u.re - z.re * u.im);
          ASSERT_LE(std::abs(static_cast<std::int64_t>(lo - expected[q])), 1) << "N=" << N << ", coefficient " << q;
          ASSERT_LE(std::abs(static_cast<std::int64_t>(hi - expected[q + h])), 1)
              << "N=" << N << ", coefficient " << q + h;
        }
      }
    }
  }
}

// The padded layout (fused_padded) against shared-memory bank conflicts, as the kernel uses it
// (k = 1: one group per thread in every pass). A 16-byte access is served 8 threads at a time, one
// 128-byte wavefront each when their values lie in 8 distinct 16-byte slots (index mod 8). For
// every pass, direction, N, and the i-th load and store of each thread, the 8 threads of each
// quarter warp touch distinct slots. (Without the padding the late forward passes put all 8 in
// one slot: an 8-way conflict.)
TEST(CudaFusedEmulator, FftPassesAreFreeOfBankConflicts) {
  for (std::uint32_t h : {256u, 512u, 1024u, 2048u}) {
    for (const bool forward : {true, false}) {
      const std::uint32_t arrays = forward ? 1 : 2, lanes = arrays * h / 8;  // one group per thread
      const std::vector<Complex> stage(h, Complex{1, 0});
      for (unsigned pass = 0; pass < cuda::fft_pass_count(h); ++pass) {
        std::vector<std::vector<std::uint32_t>> loads(lanes), stores(lanes);  // per thread, in order
        for (unsigned lane = 0; lane < lanes; ++lane) {
          const auto load = [&](std::uint32_t i) {
            loads[lane].push_back(cuda::fused_padded(i));
            return Complex{};
          };
          const auto store = [&](std::uint32_t i, const Complex&) { stores[lane].push_back(cuda::fused_padded(i)); };
          if (forward) {
            cuda::fft_pass<true>(arrays, h, pass, stage.data(), lane, lanes, load, store);
          } else {
            cuda::fft_pass<false>(arrays, h, pass, stage.data(), lane, lanes, load, store);
          }
        }
        for (const auto* accesses : {&loads, &stores}) {
          for (unsigned first = 0; first < lanes; first += 8) {
            for (std::size_t k = 0; k < (*accesses)[first].size(); ++k) {
              std::set<std::uint32_t> slots;
              for (unsigned lane = first; lane < first + 8; ++lane) slots.insert((*accesses)[lane][k] % 8);
              ASSERT_EQ(slots.size(), 8u) << (forward ? "forward" : "inverse") << " pass " << pass << ", h=" << h
                                          << ", threads " << first << ".." << first + 7 << ", access " << k;
            }
          }
        }
      }
    }
  }
}

/// The emulated fused PBS and the CPU backend on every input through four tables per ciphertext:
/// every output decrypts to the table's value and to what the CPU's output decrypts to.
void expect_fused_decrypts_like_cpu(const ParameterSet& params, int p) {
  ASSERT_TRUE(cuda::fused_shape_supported(pbs_shape(params), 227 * 1024)) << describe(params);  // H100/H200 opt-in
  const auto& keys = engine_keys(params);
  const TableBatch batch = every_input_every_table(params, p);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, batch.inputs, 32);
  LweCiphertextArray cpu(inputs.size(), params.big_lwe_dimension()), fused(inputs.size(), params.big_lwe_dimension());
  programmable_bootstrap_batch(keys.server, inputs, batch.per_ciphertext, cpu, testing::test_thread_pool());
  emulate_fused_pbs(keys.server, inputs, batch.per_ciphertext, fused,
                    cuda::HostBlock{cuda::fused_block_threads(pbs_shape(params))});
  const auto cpu_read = decrypt_all(keys.client, cpu, batch.output_bits);
  const auto fused_read = decrypt_all(keys.client, fused, batch.output_bits);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(fused_read[i], batch.expected[i])
        << "ciphertext " << i << ", input " << batch.inputs[i] << ", " << describe(params);
    EXPECT_EQ(fused_read[i], cpu_read[i]) << "ciphertext " << i << ", input " << batch.inputs[i];
  }
}

TEST(CudaFusedEmulator, PbsDecryptsLikeCpuToyP3) { expect_fused_decrypts_like_cpu(insecure_toy_parameter_set(3), 3); }

TEST(CudaFusedEmulator, PbsDecryptsLikeCpuCentredSwitch) { expect_fused_decrypts_like_cpu(centred_switch_set(), 3); }

// One decomposition level: two rows, one digit pair per CMUX step, nothing to overlap.
TEST(CudaFusedEmulator, PbsDecryptsLikeCpuOneLevelSet) {
  ASSERT_EQ(one_level_set().pbs_level.value, 1u) << describe(one_level_set());
  expect_fused_decrypts_like_cpu(one_level_set(), 3);
}

// A vetted set with k = 4 (the (k+1)-strided components and five Fourier accumulators), N = 512.
TEST(CudaFusedEmulator, PbsDecryptsLikeCpuVettedGlweDimension4) {
  expect_fused_decrypts_like_cpu(vetted_parameter_set(2, ErrorTarget::tight, 5), 2);
}

// Barriers in the right places make the result independent of the block size and of the order
// in which threads run within a phase: bit for bit, outputs of 256 threads in order and of 64 and
// of 1000 (more threads than butterflies) in reverse order.
TEST(CudaFusedEmulator, PbsIndependentOfBlockSizeAndThreadOrder) {
  const int p = 3;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto& keys = engine_keys(params);
  const TableBatch batch = every_input_every_table(params, p);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, batch.inputs, 33);
  const std::size_t count = 6;  // the first tables' inputs suffice
  LweCiphertextArray some(count, params.big_lwe_dimension());
  for (std::size_t i = 0; i < count; ++i) std::copy(inputs[i].begin(), inputs[i].end(), some[i].begin());
  const std::vector<const LookupTable*> tables(batch.per_ciphertext.begin(), batch.per_ciphertext.begin() + count);
  LweCiphertextArray reference(count, params.big_lwe_dimension());
  emulate_fused_pbs(keys.server, some, tables, reference, cuda::HostBlock{256, false});
  for (const cuda::HostBlock block : {cuda::HostBlock{64, true}, cuda::HostBlock{1000, true}}) {
    LweCiphertextArray other(count, params.big_lwe_dimension());
    emulate_fused_pbs(keys.server, some, tables, other, block);
    for (std::size_t i = 0; i < count; ++i) {
      ASSERT_TRUE(std::equal(reference[i].begin(), reference[i].end(), other[i].begin()))
          << "ciphertext " << i << ", " << block.threads << " threads";
    }
  }
}

// The ResNet-18's set (k = 1, N = 4096, PBS 9/4, n = 823): four levels of 9 bits, the largest
// FFT and shared-memory layout, 512 threads. Two inputs of one table (each PBS is ~10^8
// emulated butterflies), checked against the table and the CPU backend.
TEST(CudaFusedEmulator, PbsDecryptsLikeCpuResNetSet) {
  const int p = 5;
  const ParameterSet& params = parameter_set_by_name("v0_128_p5_L14_pe2m40");
  const auto& keys = engine_keys(params);
  const ClearTable clear = clear_table(TableKind::random, p);
  const LookupTable table = lookup_table(clear, params, p);
  const std::vector<std::int64_t> codes = {7, 26};
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, codes, 34);
  const std::vector<const LookupTable*> tables(codes.size(), &table);
  LweCiphertextArray cpu(codes.size(), params.big_lwe_dimension()), fused(codes.size(), params.big_lwe_dimension());
  programmable_bootstrap_batch(keys.server, inputs, tables, cpu, testing::test_thread_pool());
  emulate_fused_pbs(keys.server, inputs, tables, fused, cuda::HostBlock{cuda::fused_block_threads(pbs_shape(params))});
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const std::int64_t read = decrypt_message(keys.client, fused[i], clear.output_bits, Signedness::unsigned_code);
    EXPECT_EQ(read, clear.codes[static_cast<std::size_t>(codes[i])]) << "input " << codes[i];
    EXPECT_EQ(read, decrypt_message(keys.client, cpu[i], clear.output_bits, Signedness::unsigned_code))
        << "input " << codes[i];
  }
}

// Every instantiation and FFT shape the ResNet and toy tests leave out: the first vetted set with
// k = 1 at N = 2048 (a one-stage last pass: 10 stages), and with k = 2 and k = 3 (2 points per
// accumulator, 3 and 4 components) at N <= 1024. Two inputs each through a random table.
TEST(CudaFusedEmulator, PbsDecryptsLikeCpuOtherShapes) {
  const auto first_set = [](std::size_t k, std::size_t max_n) -> const ParameterSet* {
    for (const ParameterSet* params : all_vetted_parameter_sets()) {
      const cuda::PbsShape s = pbs_shape(*params);
      if (s.k == k && s.N <= max_n && (k > 1 || s.N == max_n) && params->precision_bits >= 3 &&
          cuda::fused_shape_supported(s, 227 * 1024)) {
        return params;
      }
    }
    return nullptr;
  };
  for (const auto& [k, max_n] : {std::pair<std::size_t, std::size_t>{1, 2048}, {2, 1024}, {3, 1024}}) {
    const ParameterSet* params = first_set(k, max_n);
    ASSERT_NE(params, nullptr) << "no vetted set with k = " << k << ", N <= " << max_n;
    const int p = params->precision_bits;
    const auto& keys = engine_keys(*params);
    const ClearTable clear = clear_table(TableKind::random, p);
    const LookupTable table = lookup_table(clear, *params, p);
    const std::vector<std::int64_t> codes = {1, (std::int64_t{1} << p) - 2};
    const LweCiphertextArray inputs = encrypt_codes(keys.client, *params, p, codes, 35);
    const std::vector<const LookupTable*> tables(codes.size(), &table);
    LweCiphertextArray fused(codes.size(), params->big_lwe_dimension());
    emulate_fused_pbs(keys.server, inputs, tables, fused,
                      cuda::HostBlock{cuda::fused_block_threads(pbs_shape(*params)), true});
    for (std::size_t i = 0; i < codes.size(); ++i) {
      EXPECT_EQ(decrypt_message(keys.client, fused[i], clear.output_bits, Signedness::unsigned_code),
                clear.codes[static_cast<std::size_t>(codes[i])])
          << "input " << codes[i] << ", " << describe(*params);
    }
  }
}

TEST(CudaFusedEmulator, ShapeLimits) {
  constexpr std::size_t kH200 = 227 * 1024;
  EXPECT_TRUE(cuda::fused_shape_supported(pbs_shape(parameter_set_by_name("v0_128_p5_L14_pe2m40")), kH200));
  // 64 KiB of accumulator and two digit sets of 2 x 2,304 padded points.
  EXPECT_EQ(cuda::fused_shared_bytes(cuda::PbsShape{823, 1, 4096, 9, 4}), 208u * 1024);
  EXPECT_EQ(cuda::fused_block_threads(cuda::PbsShape{823, 1, 4096, 9, 4}), 512u);
  EXPECT_EQ(cuda::fused_block_threads(cuda::PbsShape{600, 4, 512, 15, 1}), 256u);  // one point per accumulator
  EXPECT_TRUE(cuda::fused_shape_supported(cuda::PbsShape{600, 2, 1024, 15, 2}, kH200));
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 1, 8192, 15, 2}, kH200));      // N too large
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 1, 2048, 5, 5}, kH200));       // 10 rows
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 5, 256, 15, 1}, kH200));       // N too small
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 5, 512, 15, 1}, kH200));       // no kernel for k = 5
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 2, 4096, 20, 1}, kH200));      // 1,024 threads
  EXPECT_FALSE(cuda::fused_shape_supported(cuda::PbsShape{600, 1, 4096, 9, 4}, 160 * 1024));  // 208 KiB
}

// ---------------------------------------------------------------------------------------------
// The backend's entry points, in every build.

TEST(CudaBackendEntryPoints, AvailabilityAgreesWithFactory) {
  if (cuda_backend_available()) {
    EXPECT_EQ(make_cuda_backend()->name(), "cuda");
    return;
  }
  try {
    make_cuda_backend();
    FAIL() << "make_cuda_backend succeeded although cuda_backend_available() is false";
  } catch (const InvalidArgument& e) {
    const std::string message = e.what();
    EXPECT_TRUE(message.starts_with("veil was built without CUDA") || message.starts_with("no CUDA device visible") ||
                message.starts_with("CUDA device"))
        << message;
    RecordProperty("cuda_backend", message);
  }
}

// ---------------------------------------------------------------------------------------------
// The backend on a GPU.

class CudaBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_backend_available()) return;
    try {
      make_cuda_backend();
    } catch (const InvalidArgument& e) {
      GTEST_SKIP() << "CUDA backend not run (no GPU visible to it): " << e.what();
    }
  }

  /// The backend, crossing chunk boundaries every `max_chunk` ciphertexts when max_chunk > 0.
  static std::unique_ptr<Backend> backend(std::size_t max_chunk = 0) { return make_cuda_backend(0, max_chunk); }

  /// The backend made with `variable`=value (read at construction); the variable is restored.
  static std::unique_ptr<Backend> backend_with(const char* variable, const char* value) {
    struct Restore {
      const char* variable;
      std::string saved;
      bool had;
      ~Restore() { had ? setenv(variable, saved.c_str(), 1) : unsetenv(variable); }
    };
    const char* old = std::getenv(variable);
    const Restore restore{variable, old != nullptr ? old : "", old != nullptr};
    setenv(variable, value, 1);
    return make_cuda_backend();
  }
  static std::unique_ptr<Backend> backend_with_path(const char* path) { return backend_with("VEIL_CUDA_PBS", path); }
};

void expect_keyswitch_equals_cpu(Backend& gpu, const ParameterSet& params) {
  const auto& keys = engine_keys(params);
  constexpr std::size_t kCount = 37;
  Csprng rng = Csprng::from_seed_insecure_for_tests(21);
  LweCiphertextArray inputs(kCount, params.big_lwe_dimension()), cpu(kCount, params.lwe_dimension),
      device(kCount, params.lwe_dimension);
  for (std::size_t i = 0; i < kCount; ++i) rng.fill_uniform(inputs[i]);
  keyswitch_batch(keys.server.keyswitch_key(), inputs, cpu, testing::test_thread_pool());
  gpu.keyswitch_batch(keys.server.keyswitch_key(), inputs, device);
  for (std::size_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(std::equal(cpu[i].begin(), cpu[i].end(), device[i].begin()))
        << "ciphertext " << i << ", " << describe(params);
  }
}

// The linear kernel on the device, bit for bit against the CPU backend (its block body is
// checked on the host by CudaLinearEmulator.*): a conv-like row at k*N = 4096 with 70 channels
// (blocks of 16, the last of 6), an element-wise row, and a second call reusing the buffers.
TEST_F(CudaBackend, LinearBatchEqualsCpuBitForBit) {
  const auto gpu = backend();
  for (const auto& c : {testing::conv_like_case(31, LweDimension(4096), 9, 8, 70),
                        testing::elementwise_case(32, LweDimension(4096), 300, 9),
                        testing::conv_like_case(33, LweDimension(2048), 3, 2, 5)}) {
    LweCiphertextArray cpu = testing::poisoned_outputs(c), device = testing::poisoned_outputs(c);
    linear_batch(c.batch, cpu, testing::test_thread_pool());
    gpu->linear_batch(c.batch, device);
    for (std::size_t i = 0; i < cpu.size(); ++i) {
      ASSERT_TRUE(std::equal(cpu[i].begin(), cpu[i].end(), device[i].begin())) << "output " << i;
    }
  }
}

// VEIL_CUDA_LINEAR=host (the kit's fallback) runs the linear layers on the host's cores.
TEST_F(CudaBackend, LinearLayersOnTheHostWhenAsked) {
  const auto gpu = backend_with("VEIL_CUDA_LINEAR", "host");
  EXPECT_NE(gpu->description().find("linear layers on the host"), std::string::npos) << gpu->description();
  const auto c = testing::conv_like_case(34, LweDimension(1024), 4, 3, 20);
  LweCiphertextArray cpu = testing::poisoned_outputs(c), host = testing::poisoned_outputs(c);
  linear_batch(c.batch, cpu, testing::test_thread_pool());
  gpu->linear_batch(c.batch, host);
  EXPECT_TRUE(std::ranges::equal(cpu.data(), host.data()));
  EXPECT_THROW(backend_with("VEIL_CUDA_LINEAR", "cpu"), InvalidArgument);
}

TEST_F(CudaBackend, KeyswitchBatchEqualsCpuBitForBit) {
  const auto gpu = backend(16);  // 37 ciphertexts: chunks of 16, 16 and 5
  expect_keyswitch_equals_cpu(*gpu, insecure_toy_parameter_set(4));
  expect_keyswitch_equals_cpu(*gpu, vetted_parameter_set(4, ErrorTarget::tight));
}

/// Every input code through every table in one batch with per-ciphertext tables; each output must
/// decrypt to the table's value and to what the CPU backend's output decrypts to.
void expect_pbs_decrypts_like_cpu(Backend& gpu, const ParameterSet& params, int p) {
  const auto& keys = engine_keys(params);
  const TableBatch batch = every_input_every_table(params, p);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, batch.inputs, 22 + static_cast<unsigned>(p));
  LweCiphertextArray cpu(inputs.size(), params.big_lwe_dimension()), device(inputs.size(), params.big_lwe_dimension());
  programmable_bootstrap_batch(keys.server, inputs, batch.per_ciphertext, cpu, testing::test_thread_pool());
  gpu.programmable_bootstrap_batch(keys.server, inputs, batch.per_ciphertext, device);
  const auto cpu_read = decrypt_all(keys.client, cpu, batch.output_bits);
  const auto device_read = decrypt_all(keys.client, device, batch.output_bits);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(device_read[i], batch.expected[i])
        << "ciphertext " << i << ", input " << batch.inputs[i] << ", " << describe(params);
    EXPECT_EQ(device_read[i], cpu_read[i]) << "ciphertext " << i << ", input " << batch.inputs[i];
  }
}

TEST_F(CudaBackend, PbsEveryInputEveryTableToySets) {
  const auto gpu = backend();
  for (int p = 1; p <= 5; ++p) expect_pbs_decrypts_like_cpu(*gpu, insecure_toy_parameter_set(p), p);
}

TEST_F(CudaBackend, PbsEveryInputEveryTableVetted4Bit) {
  expect_pbs_decrypts_like_cpu(*backend(), vetted_parameter_set(4, ErrorTarget::tight), 4);
}

TEST_F(CudaBackend, PbsAcrossChunksAndWithASharedTable) {
  const int p = 4;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto gpu = backend(16);  // 64 ciphertexts: four chunks
  expect_pbs_decrypts_like_cpu(*gpu, params, p);
  const auto& keys = engine_keys(params);
  const ClearTable clear = clear_table(TableKind::random, p);
  const LookupTable table = lookup_table(clear, params, p);
  std::vector<std::int64_t> codes;
  for (std::int64_t i = 0; i < 41; ++i) codes.push_back(i % 16);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, codes, 23);
  LweCiphertextArray outputs(inputs.size(), params.big_lwe_dimension());
  const LookupTable* shared[] = {&table};
  gpu->programmable_bootstrap_batch(keys.server, inputs, shared, outputs);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    EXPECT_EQ(decrypt_message(keys.client, outputs[i], p, Signedness::unsigned_code),
              clear.codes[static_cast<std::size_t>(codes[i])])
        << "ciphertext " << i;
  }
}

/// Codes through `table` on the fused and the legacy path: both must decrypt to the table.
void expect_fused_and_legacy_read_table(Backend& fused, Backend& legacy, const ParameterSet& params, int p,
                                        std::size_t count) {
  const auto& keys = engine_keys(params);
  const ClearTable clear = clear_table(TableKind::random, p);
  const LookupTable table = lookup_table(clear, params, p);
  const LookupTable* shared[] = {&table};
  std::vector<std::int64_t> codes;
  for (std::size_t i = 0; i < count; ++i) codes.push_back(static_cast<std::int64_t>(i % clear.codes.size()));
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, codes, 26);
  LweCiphertextArray a(inputs.size(), params.big_lwe_dimension()), b(inputs.size(), params.big_lwe_dimension());
  fused.programmable_bootstrap_batch(keys.server, inputs, shared, a);
  legacy.programmable_bootstrap_batch(keys.server, inputs, shared, b);
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const std::int64_t expected = clear.codes[static_cast<std::size_t>(codes[i])];
    EXPECT_EQ(decrypt_message(keys.client, a[i], p, Signedness::unsigned_code), expected)
        << "fused, ciphertext " << i << ", " << describe(params);
    EXPECT_EQ(decrypt_message(keys.client, b[i], p, Signedness::unsigned_code), expected)
        << "legacy, ciphertext " << i << ", " << describe(params);
  }
}

// The two blind-rotation paths on the same inputs: a toy set, the ResNet-18's set (k = 1,
// N = 4096, PBS 9/4: the fused kernel's largest shared-memory budget, 160 KiB) and a set with the
// centred modulus switch (key switch and switch in two kernels); a one-level set too.
TEST_F(CudaBackend, FusedAndLegacyPathsBothReadTheTable) {
  const auto fused = backend_with_path("fused");
  const auto legacy = backend_with_path("legacy");
  EXPECT_NE(fused->description().find("blind rotation: fused kernel"), std::string::npos) << fused->description();
  EXPECT_NE(legacy->description().find("blind rotation: cuFFT path"), std::string::npos) << legacy->description();
  expect_fused_and_legacy_read_table(*fused, *legacy, insecure_toy_parameter_set(4), 4, 64);
  expect_fused_and_legacy_read_table(*fused, *legacy, parameter_set_by_name("v0_128_p5_L14_pe2m40"), 5, 64);
  expect_fused_and_legacy_read_table(*fused, *legacy, centred_switch_set(), 3, 64);
  expect_fused_and_legacy_read_table(*fused, *legacy, one_level_set(), 3, 64);
}

// Rows resident on the device (VEIL_CUDA_ROWS unset) and in host memory (VEIL_CUDA_ROWS=host, the
// kit's fallback): copies both ways, linear batches bit for bit against the CPU, and the PBS of
// inputs under a wider nested key (the runtime's rows) decrypting like the CPU's, padded with zeros.
TEST_F(CudaBackend, ResidentRowsOnTheDeviceAndOnTheHost) {
  const int p = 4;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto& keys = engine_keys(params);
  const TableBatch batch = every_input_every_table(params, p);
  const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, batch.inputs, 25);
  const LweDimension own = params.big_lwe_dimension(), wide(own.value + 1000);
  LweCiphertextArray wide_inputs(inputs.size(), wide);
  extend_to_wider_key(inputs, wide_inputs);
  LweCiphertextArray cpu(inputs.size(), own);
  programmable_bootstrap_batch(keys.server, inputs, batch.per_ciphertext, cpu, testing::test_thread_pool());
  const auto cpu_read = decrypt_all(keys.client, cpu, batch.output_bits);
  for (const char* rows : {"device", "host"}) {
    const auto gpu = backend_with("VEIL_CUDA_ROWS", rows);
    EXPECT_EQ(gpu->description().find("rows in host memory") != std::string::npos, std::string_view(rows) == "host")
        << gpu->description();
    for (const auto& c : {testing::conv_like_case(35, LweDimension(4096), 9, 8, 70),
                          testing::elementwise_case(36, LweDimension(2048), 300, 9)}) {
      LweCiphertextArray expected = testing::poisoned_outputs(c);
      linear_batch(c.batch, expected, testing::test_thread_pool());
      EXPECT_TRUE(std::ranges::equal(expected.data(), testing::resident_outputs(c, *gpu).data())) << rows;
    }
    for (const LweDimension dimension : {own, wide}) {
      const auto in = gpu->make_resident(inputs.size(), dimension);
      gpu->upload(dimension == own ? inputs : wide_inputs, *in);
      const auto out = gpu->make_resident(inputs.size(), dimension);
      gpu->bootstrap_resident(keys.server, *in, batch.per_ciphertext, *out);
      LweCiphertextArray read(inputs.size(), dimension);
      gpu->download(*out, read);
      const auto device_read = decrypt_all(keys.client, restrict_to_prefix_key(read, own), batch.output_bits);
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        ASSERT_EQ(device_read[i], cpu_read[i]) << rows << ", dimension " << dimension.value << ", ciphertext " << i;
      }
    }
  }
  EXPECT_THROW(backend_with("VEIL_CUDA_ROWS", "pinned"), InvalidArgument);
}

TEST_F(CudaBackend, RejectsAnUnknownPbsPath) { EXPECT_THROW(backend_with_path("cufft"), InvalidArgument); }

// Two server keys of one parameter set, used in turn: the device key cache must tell them apart.
TEST_F(CudaBackend, KeyCacheTellsKeysApart) {
  const int p = 3;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto gpu = backend();
  const ClearTable clear = clear_table(TableKind::random, p);
  const LookupTable table = lookup_table(clear, params, p);
  const LookupTable* shared[] = {&table};
  std::vector<std::int64_t> codes;
  for (std::int64_t x = 0; x < 8; ++x) codes.push_back(x);
  for (int round = 0; round < 2; ++round) {
    for (std::uint64_t seed : {2024u, 7u}) {
      const auto& keys = engine_keys(params, seed);
      const LweCiphertextArray inputs = encrypt_codes(keys.client, params, p, codes, 24 + seed);
      LweCiphertextArray outputs(inputs.size(), params.big_lwe_dimension());
      gpu->programmable_bootstrap_batch(keys.server, inputs, shared, outputs);
      for (std::size_t x = 0; x < codes.size(); ++x) {
        EXPECT_EQ(decrypt_message(keys.client, outputs[x], p, Signedness::unsigned_code), clear.codes[x])
            << "key seed " << seed << ", round " << round << ", input " << x;
      }
    }
  }
}

TEST_F(CudaBackend, RejectsMismatchedShapes) {
  const ParameterSet& params = insecure_toy_parameter_set(3);
  const auto& keys = engine_keys(params);
  const auto gpu = backend();
  const LookupTable ok = make_lookup_table(params.polynomial_size, 3, [](std::uint64_t x) { return Torus{x}; });
  const LookupTable wrong_n = make_lookup_table(PolynomialSize(64), 3, [](std::uint64_t x) { return Torus{x}; });
  LweCiphertextArray big(2, params.big_lwe_dimension()), small(2, params.lwe_dimension),
      one(1, params.big_lwe_dimension());
  const LookupTable* tables[] = {&ok};
  const LookupTable* wrong[] = {&wrong_n};
  EXPECT_THROW(gpu->programmable_bootstrap_batch(keys.server, small, tables, big), InvalidArgument);
  EXPECT_THROW(gpu->programmable_bootstrap_batch(keys.server, big, tables, one), InvalidArgument);
  EXPECT_THROW(gpu->programmable_bootstrap_batch(keys.server, big, wrong, big), InvalidArgument);
  EXPECT_THROW(gpu->keyswitch_batch(keys.server.keyswitch_key(), small, small), InvalidArgument);
}

// The output noise of the GPU's PBS against the model, as tests/fhe/noise_engine_test.cpp does for
// the CPU: 10^4 PBS on the cheapest set whose failures are visible (v0_128_p2_L0_pe0.05: k = 5,
// N = 256, n = 592), inputs carrying a PBS output's noise, identity table. The variance must match
// blind_rotation_variance within the CPU test's tolerance (5 standard errors of the estimate plus
// 5% for the model), and the wrong-read rate the set's p_error (3.5 binomial standard deviations).
TEST_F(CudaBackend, PbsOutputVarianceAndWrongReadRateMatchModel) {
  constexpr int p = 2;
  constexpr std::size_t kSamples = 10'000;
  const ParameterSet& set = vetted_parameter_set(p, ErrorTarget::loose, 0);
  const auto& keys = engine_keys(set, 0x5eed);
  const auto encode = [](std::int64_t m) { return encode_message(m, p, Signedness::unsigned_code); };
  Csprng rng = Csprng::from_seed_insecure_for_tests(25);
  LweCiphertextArray inputs(kSamples, set.big_lwe_dimension()), outputs(kSamples, set.big_lwe_dimension());
  std::vector<std::int64_t> messages(kSamples);
  const double input_std_dev = std::sqrt(noise::blind_rotation_variance(set));
  for (std::size_t i = 0; i < kSamples; ++i) {
    messages[i] = 1 + static_cast<std::int64_t>(i % 2);  // interior codes: both neighbours valid
    encrypt_lwe(keys.client.glwe_key().flattened_bits(), encode(messages[i]), input_std_dev, rng, inputs[i]);
  }
  const LookupTable table =
      make_lookup_table(set.polynomial_size, p, [&](std::uint64_t x) { return encode(static_cast<std::int64_t>(x)); });
  const LookupTable* tables[] = {&table};
  backend()->programmable_bootstrap_batch(keys.server, inputs, tables, outputs);

  double sum_squares = 0;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < kSamples; ++i) {
    const std::int64_t read = decrypt_message(keys.client, outputs[i], p, Signedness::unsigned_code);
    const Torus error = decrypt_phase(keys.client, outputs[i]) - encode(read);
    const double e = static_cast<double>(static_cast<std::int64_t>(error)) * 0x1p-64;
    sum_squares += e * e;
    if (read != messages[i]) ++failures;
  }
  const double ratio = sum_squares / kSamples / noise::blind_rotation_variance(set);
  RecordProperty("pbs_output_variance_ratio", std::to_string(ratio));
  EXPECT_NEAR(ratio, 1.0, 5 * std::sqrt(2.0 / kSamples) + 0.05) << describe(set);
  const double expected = set.target_p_error * kSamples;
  EXPECT_NEAR(static_cast<double>(failures), expected, 3.5 * std::sqrt(expected * (1 - set.target_p_error)))
      << failures << " wrong reads in " << kSamples << ", model p_error " << set.target_p_error;
}

}  // namespace
}  // namespace veil::fhe
