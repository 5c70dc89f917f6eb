#pragma once
// Random fhe::LinearBatch cases shaped like the runtime's rows (a convolution's positions with
// padded taps, element-wise layers), and the batch's definition evaluated directly, for the CPU
// backend's test and the CUDA kernel's emulator and device tests.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/linear_batch.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe::testing {

/// A batch with the ciphertext arrays it reads. Not copyable: the batch points into `sources`.
struct LinearCase {
  std::vector<std::unique_ptr<LweCiphertextArray>> sources;
  LinearBatch batch;
  std::size_t outputs = 0;
  LweDimension dimension{0};

  LinearCase(const LinearCase&) = delete;
  LinearCase& operator=(const LinearCase&) = delete;
  LinearCase(LinearCase&&) = default;
  LinearCase() = default;

  void add_source(std::size_t count, std::mt19937_64& gen) {
    sources.push_back(std::make_unique<LweCiphertextArray>(count, dimension));
    for (Torus& v : sources.back()->data()) v = gen();
    batch.sources.push_back(sources.back().get());
  }
};

/// A weight as the runtime makes them: a small signed integer lifted by 2^shift (so that it
/// wraps modulo 2^64 for large shifts), or now and then any 64-bit value.
inline std::int64_t random_weight(std::mt19937_64& gen) {
  const auto small = static_cast<std::int64_t>(gen() % 255) - 127;
  if (gen() % 8 == 0) return static_cast<std::int64_t>(gen());
  return static_cast<std::int64_t>(static_cast<Torus>(small) << (gen() % 64));
}

/// A k x k convolution row with `positions` output positions along a line, `channels_in` input
/// channels over three input rows (each a source: line-major, c * width + col) and `channels_out`
/// outputs per position; the first and last positions have padded taps (left out of the terms),
/// whose contribution the constant carries. Output (o, position p) is ciphertext o * positions + p.
inline LinearCase conv_like_case(std::uint64_t seed, LweDimension dimension, std::uint32_t positions,
                                 std::uint32_t channels_in, std::uint32_t channels_out) {
  constexpr std::uint32_t k = 3;
  std::mt19937_64 gen(seed);
  LinearCase c;
  c.dimension = dimension;
  for (std::uint32_t line = 0; line < k; ++line) c.add_source(std::size_t{channels_in} * positions, gen);
  const std::uint32_t window = channels_in * k * k;
  c.batch.columns = window;
  for (std::uint32_t i = 0; i < channels_out * window; ++i) c.batch.weights.push_back(random_weight(gen));
  for (std::uint32_t p = 0; p < positions; ++p) {
    for (std::uint32_t ch = 0; ch < channels_in; ++ch) {
      for (std::uint32_t u = 0; u < k; ++u) {
        for (std::uint32_t v = 0; v < k; ++v) {
          const auto q = static_cast<std::int64_t>(p) - 1 + v;  // padding 1 along the line
          if (q < 0 || q >= static_cast<std::int64_t>(positions)) continue;
          c.batch.add_term(u * channels_in * positions + ch * positions + static_cast<std::uint32_t>(q),
                           (ch * k + u) * k + v);
        }
      }
    }
    for (std::uint32_t o = 0; o < channels_out; ++o) c.batch.add_output(o * positions + p, o, gen());
    c.batch.end_group();
  }
  c.outputs = std::size_t{channels_out} * positions;
  return c;
}

/// One output per group (combine, sum-pool, flatten): group e reads 0..`most_terms` random inputs
/// (none: the output is its constant) with per-row weights, and writes output `count - 1 - e`.
inline LinearCase elementwise_case(std::uint64_t seed, LweDimension dimension, std::uint32_t count,
                                   std::uint32_t most_terms) {
  std::mt19937_64 gen(seed);
  LinearCase c;
  c.dimension = dimension;
  c.add_source(count, gen);
  c.add_source(count / 2 + 1, gen);
  const std::uint32_t inputs = count + count / 2 + 1;
  c.batch.columns = most_terms;
  constexpr std::uint32_t kRows = 5;
  for (std::uint32_t i = 0; i < kRows * most_terms; ++i) c.batch.weights.push_back(random_weight(gen));
  for (std::uint32_t e = 0; e < count; ++e) {
    const auto terms = static_cast<std::uint32_t>(gen() % (most_terms + 1));
    for (std::uint32_t t = 0; t < terms; ++t) c.batch.add_term(static_cast<std::uint32_t>(gen() % inputs), t);
    c.batch.add_output(count - 1 - e, e % kRows, gen());
    c.batch.end_group();
  }
  c.outputs = count;
  return c;
}

/// The batch's definition (linear_batch.hpp), term by term.
inline LweCiphertextArray linear_batch_by_definition(const LinearCase& c) {
  std::vector<const Torus*> input;
  for (const auto& s : c.sources) {
    for (std::size_t i = 0; i < s->size(); ++i) input.push_back((*s)[i].data());
  }
  const LinearBatch& b = c.batch;
  const std::size_t size = c.dimension.value + 1;
  LweCiphertextArray out(c.outputs, c.dimension);
  for (std::size_t g = 0; g < b.groups(); ++g) {
    for (std::uint32_t o = b.group_outputs[g]; o < b.group_outputs[g + 1]; ++o) {
      const LweView y = out[b.output_index[o]];
      for (std::uint32_t t = b.group_terms[g]; t < b.group_terms[g + 1]; ++t) {
        const auto w = static_cast<Torus>(b.weights[b.output_row[o] * b.columns + b.term_column[t]]);
        for (std::size_t d = 0; d < size; ++d) y[d] += w * input[b.term_input[t]][d];
      }
      y[size - 1] += b.output_constant[o];
    }
  }
  return out;
}

/// Ciphertext arrays filled with a value no batch writes by chance (so that unwritten outputs show).
inline LweCiphertextArray poisoned_outputs(const LinearCase& c) {
  LweCiphertextArray out(c.outputs, c.dimension);
  std::fill(out.data().begin(), out.data().end(), Torus{0xDEADBEEFDEADBEEF});
  return out;
}

/// A case's sources uploaded to a backend's resident arrays, and its terms over them.
struct ResidentLinearCase {
  std::vector<std::unique_ptr<ResidentArray>> sources;
  ResidentLinearBatch batch;
};

inline ResidentLinearCase resident_case(const LinearCase& c, Backend& backend) {
  ResidentLinearCase r;
  static_cast<LinearTerms&>(r.batch) = c.batch;
  for (const auto& source : c.sources) {
    r.sources.push_back(backend.make_resident(source->size(), source->dimension()));
    backend.upload(*source, *r.sources.back());
    r.batch.sources.push_back(r.sources.back().get());
  }
  return r;
}

/// `backend`'s resident outputs of `c`, downloaded (they start poisoned, so unwritten ones show).
inline LweCiphertextArray resident_outputs(const LinearCase& c, Backend& backend) {
  const ResidentLinearCase r = resident_case(c, backend);
  LweCiphertextArray out = poisoned_outputs(c);
  const std::unique_ptr<ResidentArray> resident = backend.make_resident(out.size(), out.dimension());
  backend.upload(out, *resident);
  backend.linear_resident(r.batch, *resident);
  backend.download(*resident, out);
  return out;
}

}  // namespace veil::fhe::testing
