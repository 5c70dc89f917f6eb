// The server in real FHE at the reference's p_error = 0.05 per PBS on the vetted set the
// compiler picks, against nn's FHE simulation driven by the compiled per-site error
// probabilities (compiler::simulation_p_errors):
//  - sharply, the misread rate of the first lookup (its table made injective so that every
//    misread index shows in the output) equals the model's expected misreads within binomial
//    bounds;
//  - the whole network's output errors (elements that differ from the clear run, and their
//    L1 distance) fall inside the distribution of many simulation seeds.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "runtime/runtime_test_support.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;
using nn::quant::QuantizationMode;

constexpr std::int64_t kSize = 8;
constexpr nn::quant::NBits kBits{3, 3, 3, 8};
constexpr int kRoundingBits = 4;

// Encrypts, runs and decrypts `images` with keys for the program's set; image-major integers.
std::vector<std::int64_t> run_fhe(const compiler::FheProgram& program, const Tensor& images, std::uint64_t seed) {
  const TestKeys& keys = test_keys(program.params.name);
  const auto backend = fhe::make_cpu_backend(test_pool());
  Server server(program, keys.server, *backend, test_pool());
  std::vector<std::int64_t> all;
  double seconds = 0;
  std::uint64_t pbs = 0;
  for (std::int64_t n = 0; n < images.shape[0]; ++n) {
    const fhe::CiphertextBatch out =
        server.run(encrypt_image(program, keys.client, image_at(images, n), seed + static_cast<std::uint64_t>(n)));
    const auto q = decrypt_integers(keys.client, out.ciphertexts, program.output.exponent);
    all.insert(all.end(), q.begin(), q.end());
    seconds += server.last_run().seconds;
    pbs += server.last_run().pbs;
  }
  std::printf("%s: %llu PBS in %.1f s (%.0f PBS/s)\n", program.params.name.c_str(),
              static_cast<unsigned long long>(pbs), seconds, static_cast<double>(pbs) / seconds);
  return all;
}

nn::quant::SimulationSettings simulation_settings(const compiler::FheProgram& program, std::uint64_t seed) {
  nn::quant::SimulationSettings settings;
  for (const auto& [name, p] : compiler::simulation_p_errors(program)) settings.p_error_by_node[name] = p;
  settings.output_noise_std = program.output.noise_std;
  settings.seed = seed;
  return settings;
}

std::int64_t count_different(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  std::int64_t d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += a[i] != b[i];
  return d;
}

// The dequantized distance to the clear run, in logit units.
double l1_distance(const nn::quant::QuantizedCircuit& circuit, const std::vector<std::int64_t>& q,
                   const Tensor& clear) {
  Tensor real;
  nn::quant::dequantize_output(circuit, nn::quant::IntTensor{clear.shape, q}, real);
  double d = 0;
  for (std::size_t i = 0; i < real.data.size(); ++i) d += std::fabs(real.data[i] - clear.data[i]);
  return d;
}

TEST(ServerStatistics, FirstLookupMisreadsAtTheModelsRate) {
  const auto& circuit = small_circuit(QuantizationMode::ReferenceCompatible, kBits, kRoundingBits, kSize);
  const compiler::FheProgram full = compiler::compile_program(circuit);
  ASSERT_FALSE(full.params.insecure_for_tests);
  // The prefix up to the first lookup, whose table becomes index + 1: injective on both
  // negacyclic halves, so every misread index changes the output.
  nn::quant::QValueId first = 0;
  while (circuit.nodes[static_cast<std::size_t>(first)].op != nn::quant::QOpKind::Lookup) ++first;
  nn::quant::QuantizedCircuit prefix = circuit_prefix(circuit, first);
  auto& lookup = std::get<nn::quant::LookupAttrs>(prefix.nodes.back().attrs);
  ASSERT_GT(lookup.shift, 0) << "the first lookup should round its accumulator";
  lookup.function = nn::quant::LookupFunction{
      {1.0}, 0, false, {std::ldexp(1.0, lookup.shift)}, lookup.offset + 1, 1, std::int64_t{1} << lookup.bits};
  compiler::CompileOptions same_set;
  same_set.parameter_set = full.params.name;  // the full circuit's set, at p_error 0.05
  const compiler::FheProgram program = compiler::compile_program(prefix, same_set);
  ASSERT_GT(program.pbs_sites.at(0).p_error, 0.01);

  const Tensor images = small_images(8, kSize);
  const std::vector<std::int64_t> fhe = run_fhe(program, images, 300);
  nn::quant::IntegerExecutor executor(prefix, 1);
  nn::quant::IntTensor clear;
  executor.run_integers(images, clear);
  const auto misreads = static_cast<double>(count_different(fhe, clear.data));

  Tensor simulated;
  nn::quant::SimulationStats stats;
  executor.simulate(images, simulation_settings(program, 0), 0, simulated, &stats);
  const double expected = stats.expected_misreads;
  std::printf(
      "first lookup: %.0f misreads in FHE of %llu PBS, model expects %.1f (p_error %.4f per PBS at the box centre)\n",
      misreads, static_cast<unsigned long long>(stats.pbs), expected, program.pbs_sites[0].p_error);
  // A sum of independent Bernoullis has variance <= its mean: 4 sigma plus a little.
  EXPECT_NEAR(misreads, expected, 4 * std::sqrt(expected) + 2);
}

TEST(ServerStatistics, NetworkOutputErrorsWithinTheSimulatedDistribution) {
  const auto& circuit = small_circuit(QuantizationMode::Improved, kBits, kRoundingBits, kSize);
  compiler::CompileOptions uniform;  // one set, so one key to make: the statistics are those
  uniform.multi_parameter = false;   // of the noise model, which partitions do not change
  const compiler::FheProgram program = compiler::compile_program(circuit, uniform);
  const Tensor images = small_images(2, kSize);
  const std::vector<std::int64_t> fhe = run_fhe(program, images, 400);
  nn::quant::IntegerExecutor executor(circuit, 1);
  nn::quant::IntTensor clear_q;
  executor.run_integers(images, clear_q);
  Tensor clear;
  executor.run(images, clear);
  const auto fhe_differing = static_cast<double>(count_different(fhe, clear_q.data));
  const double fhe_l1 = l1_distance(circuit, fhe, clear);

  constexpr int kSeeds = 200;
  double d_sum = 0, d_sq = 0, l_sum = 0, l_sq = 0;
  for (int s = 0; s < kSeeds; ++s) {
    Tensor simulated;
    executor.simulate(images, simulation_settings(program, static_cast<std::uint64_t>(s)), 0, simulated);
    double d = 0, l = 0;
    for (std::size_t i = 0; i < simulated.data.size(); ++i) {
      d += simulated.data[i] != clear.data[i];
      l += std::fabs(simulated.data[i] - clear.data[i]);
    }
    d_sum += d;
    d_sq += d * d;
    l_sum += l;
    l_sq += l * l;
  }
  const double d_mean = d_sum / kSeeds, d_sd = std::sqrt(std::max(0.0, d_sq / kSeeds - d_mean * d_mean));
  const double l_mean = l_sum / kSeeds, l_sd = std::sqrt(std::max(0.0, l_sq / kSeeds - l_mean * l_mean));
  std::printf("network: FHE %.0f of %zu outputs differ (simulation %.2f +- %.2f), L1 %.3f (simulation %.3f +- %.3f)\n",
              fhe_differing, fhe.size(), d_mean, d_sd, fhe_l1, l_mean, l_sd);
  EXPECT_NEAR(fhe_differing, d_mean, 5 * d_sd + 1);
  EXPECT_NEAR(fhe_l1, l_mean, 5 * l_sd);
}

}  // namespace
}  // namespace veil::runtime
