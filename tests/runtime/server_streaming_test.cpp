// The server with the clear PBS backend: no noise, so its output must equal the integer
// executor's exactly, even with lookup rounding (shift > 0), where the max-pool's pairwise
// order and operand roles change the result, and at sizes where real PBS would be slow. Covers
// the improved mode's ops (max-pool on accumulators, separable schedule, residual joins with
// multipliers and no lookup) and checks that the resident rows at a larger input stay well
// below the size of all values together (a property of the algorithm, not a speed claim).
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>

#include "runtime/clear_pbs_backend.hpp"
#include "runtime/runtime_test_support.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;
using nn::quant::QuantizationMode;

constexpr nn::quant::NBits kBits{3, 2, 2, 8};

// The smallest toy set on which the clear PBS reads every lookup exactly: N holds the table
// (2^(bits+1) <= N) and a box spans at least 2^shift coefficients, so that the modulus switch of
// a noiseless phase keeps every bit of acc / 2^shift and rounds its ties half up as lookup_index.
std::string toy_set_holding(const nn::quant::QuantizedCircuit& circuit) {
  int log2_n = 1;
  auto hold = [&](const nn::quant::LookupAttrs& l) { log2_n = std::max(log2_n, l.bits + std::max(l.shift, 1)); };
  for (const auto& n : circuit.nodes) {
    if (const auto* l = std::get_if<nn::quant::LookupAttrs>(&n.attrs)) hold(*l);
    if (const auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs)) hold(m->pair);
  }
  for (int p = 1;; ++p) {
    const fhe::ParameterSet& set = fhe::insecure_toy_parameter_set(p);  // throws past the last toy set
    if ((std::size_t{1} << log2_n) <= set.polynomial_size.value) return set.name;
  }
}

struct ClearRun {
  std::vector<std::int64_t> integers;
  ServerRunStats stats;
  std::uint64_t all_values_bytes = 0;  // every value of the circuit held at once
};

ClearRun run_with_clear_pbs(const nn::quant::QuantizedCircuit& circuit, const Tensor& image) {
  const std::string set = toy_set_holding(circuit);
  // No noise is added by the clear PBS, so the predicted error probabilities do not matter.
  const compiler::FheProgram program = compiler::compile_program(circuit, forced_set(set, 1.0));
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(9);
  const fhe::ClientKey client = fhe::make_client_key(program.params, rng, fhe::AllowInsecure::for_tests);
  // The clear backend needs no evaluation keys: an empty key of the right set and id.
  fhe::IdentifiedServerKey key{fhe::key_id_of(client), fhe::ServerKey(program.params, {}, {})};
  ClearPbsBackend backend(client);
  Server server(program, std::move(key), backend, test_pool());
  const fhe::CiphertextBatch out = server.run(encrypt_image(program, client, image, 10));
  ClearRun run{decrypt_integers(client, out.ciphertexts, program.output.exponent), server.last_run(), 0};
  const std::uint64_t ciphertext_bytes = (program.params.big_lwe_dimension().value + 1) * sizeof(fhe::Torus);
  for (const auto& n : circuit.nodes)
    run.all_values_bytes += static_cast<std::uint64_t>(element_count(n.shape)) * ciphertext_bytes;
  return run;
}

nn::quant::QValueId max_pool_node(const nn::quant::QuantizedCircuit& circuit) {
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    if (circuit.nodes[v].op == nn::quant::QOpKind::MaxPool2d) return static_cast<nn::quant::QValueId>(v);
  }
  throw std::logic_error("no max-pool");
}

// The whole circuit, and its prefix ending at the max-pool (whose own integers show any change
// of pairwise order that later lookups would round away).
void expect_equal_to_executor(const nn::quant::QuantizedCircuit& circuit, std::int64_t images, std::int64_t size) {
  const nn::quant::QuantizedCircuit pool_prefix = circuit_prefix(circuit, max_pool_node(circuit));
  const Tensor batch = small_images(images, size);
  for (std::int64_t n = 0; n < images; ++n) {
    const Tensor image = image_at(batch, n);
    EXPECT_EQ(run_with_clear_pbs(circuit, image).integers, clear_integers(circuit, image)) << "image " << n;
    EXPECT_EQ(run_with_clear_pbs(pool_prefix, image).integers, clear_integers(pool_prefix, image))
        << "max-pool output, image " << n;
  }
}

TEST(ServerStreaming, ImprovedModeWithoutRoundingEqualsIntegerExecutor) {
  constexpr std::int64_t kSize = 8;
  const auto& circuit = small_circuit(QuantizationMode::Improved, kBits, std::nullopt, kSize);
  expect_equal_to_executor(circuit, 3, kSize);
}

// The improved mode's identity multipliers are powers of two, so the compiler places a block
// input above its join and the join divides the multiplier (exercised by the test above); a
// multiplier that the shift would not divide exactly is refused when the server plans.
TEST(ServerStreaming, JoinInputAboveTheJoinNeedsAnExactlyDivisibleMultiplier) {
  const auto& circuit = small_circuit(QuantizationMode::Improved, kBits, std::nullopt, 8);
  compiler::FheProgram program = compiler::compile_program(circuit, forced_set(toy_set_holding(circuit), 1.0));
  std::size_t above = 0;
  for (auto& n : program.circuit.nodes) {
    if (n.op != nn::quant::QOpKind::Combine) continue;
    const int e = program.encodings[static_cast<std::size_t>(&n - program.circuit.nodes.data())].exponent;
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      if (program.encodings[static_cast<std::size_t>(n.inputs[k])].exponent <= e) continue;
      ++above;
      std::get<nn::quant::CombineAttrs>(n.attrs).multipliers[k][0] += 1;  // now odd
    }
  }
  ASSERT_GT(above, 0u) << "no join input sits above its join";
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(9);
  const fhe::ClientKey client = fhe::make_client_key(program.params, rng, fhe::AllowInsecure::for_tests);
  ClearPbsBackend backend(client);
  try {
    Server(program, {fhe::key_id_of(client), fhe::ServerKey(program.params, {}, {})}, backend, test_pool());
    FAIL() << "a join multiplier not divisible by its input's shift was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("is not a multiple of 2^"), std::string::npos) << e.what();
  }
}

TEST(ServerStreaming, RoundedLookupsAndMaxPoolOrderEqualIntegerExecutor) {
  constexpr std::int64_t kSize = 8;
  for (const auto mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const auto& circuit = small_circuit(mode, kBits, 3, kSize);
    int lookup_shift = 0, max_pool_shift = 0;
    for (const auto& n : circuit.nodes) {
      if (const auto* l = std::get_if<nn::quant::LookupAttrs>(&n.attrs))
        lookup_shift = std::max(lookup_shift, l->shift);
      if (const auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs)) max_pool_shift = m->pair.shift;
    }
    EXPECT_GT(lookup_shift, 0) << "mode " << static_cast<int>(mode);
    // On accumulators the pairwise maxes round too, so their order matters.
    if (mode == QuantizationMode::Improved) {
      EXPECT_GT(max_pool_shift, 0);
    }
    expect_equal_to_executor(circuit, 2, kSize);
  }
}

// The improved circuit's rounded max-pool on accumulators, folded in the Sequential order instead.
TEST(ServerStreaming, RoundedSequentialMaxPoolEqualsIntegerExecutor) {
  constexpr std::int64_t kSize = 8;
  nn::quant::QuantizedCircuit circuit = small_circuit(QuantizationMode::Improved, kBits, 3, kSize);
  for (auto& n : circuit.nodes) {
    if (auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs)) {
      EXPECT_GT(m->pair.shift, 0);
      m->schedule = nn::quant::MaxPoolSchedule::Sequential;
    }
  }
  expect_equal_to_executor(circuit, 2, kSize);
}

TEST(ServerStreaming, KeepsFewRowsResidentAtSixteenPixels) {
  constexpr std::int64_t kSize = 16;
  const Tensor image = image_at(small_images(1, kSize), 0);
  for (const auto mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const auto& circuit = small_circuit(mode, kBits, std::nullopt, kSize);
    const ClearRun run = run_with_clear_pbs(circuit, image);
    EXPECT_EQ(run.integers, clear_integers(circuit, image)) << "mode " << static_cast<int>(mode);
    std::printf("mode %d, %lldx%lld: peak resident %llu bytes, all values %llu bytes (%.1f%%)\n",
                static_cast<int>(mode), static_cast<long long>(kSize), static_cast<long long>(kSize),
                static_cast<unsigned long long>(run.stats.peak_resident_bytes),
                static_cast<unsigned long long>(run.all_values_bytes),
                100.0 * static_cast<double>(run.stats.peak_resident_bytes) / static_cast<double>(run.all_values_bytes));
    EXPECT_GT(run.stats.peak_resident_bytes, 0u);
    EXPECT_LT(run.stats.peak_resident_bytes, run.all_values_bytes / 2) << "mode " << static_cast<int>(mode);
  }
}

}  // namespace
}  // namespace veil::runtime
