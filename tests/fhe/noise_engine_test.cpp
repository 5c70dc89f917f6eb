// The noise model against the real engine: measured variances after encryption, a weighted dot
// product, key switching, modulus switching and PBS, and the measured wrong-read rate of a loose
// (p_error ≈ 0.05) set, where failures are frequent enough to count. About 10^4 PBS in all
// (~1 minute on 2 free cores).
//
// Set: v0_128_p2_L0_pe0.05 (row (1, 0) read at 2 bits: k = 5, N = 256, n = 592), the cheapest
// vetted set whose failures are visible: the rate depends only on t/σ, so a 2-bit set shows the
// same statistics as an 8-bit one at a fraction of the cost. Keys come from a fixed seed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/linear_ops.hpp"
#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/modulus_switch.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

constexpr int kPrecision = 2;
constexpr std::size_t kSamples = 10'000;
constexpr std::uint64_t kSeed = 0x5eed'0f'4015e;

// Variance tolerance. With known zero mean, the sample variance of kSamples Gaussian errors has
// relative standard deviation √(2/kSamples) ≈ 1.4% (χ² with kSamples degrees of freedom); we
// allow 5 of those (false alarm < 1e-6) plus 5% for the model's own approximations (digits taken
// as uniform, key bits as independent, FFT error as a fit): ±12% in all.
const double kVarianceTolerance = 5 * std::sqrt(2.0 / kSamples) + 0.05;
// Binomial bound on failure counts: 3.5 standard deviations (two-sided false alarm ≈ 5e-4).
constexpr double kBinomialSigmas = 3.5;

struct Keys {
  ClientKey client;
  ServerKey server;
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

const ParameterSet& loose_set() { return vetted_parameter_set(kPrecision, ErrorTarget::loose, 0); }

const Keys& keys() {
  static const std::unique_ptr<Keys> instance = [] {
    Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed);
    ClientKey client = make_client_key(loose_set(), rng);
    ServerKey server = make_server_key(client, rng, pool());
    return std::make_unique<Keys>(Keys{std::move(client), std::move(server)});
  }();
  return *instance;
}

/// phase − expected as a signed torus value in [−1/2, 1/2).
double torus_error(Torus phase, Torus expected) {
  return static_cast<double>(static_cast<std::int64_t>(phase - expected)) * 0x1p-64;
}

double mean_square(const std::vector<double>& errors) {
  double sum = 0;
  for (double e : errors) sum += e * e;
  return sum / static_cast<double>(errors.size());
}

void expect_variance_matches(const std::vector<double>& errors, double model, const std::string& what) {
  ASSERT_GE(errors.size(), kSamples) << what;
  const double measured = mean_square(errors);
  ::testing::Test::RecordProperty(what + " variance ratio", std::to_string(measured / model));
  EXPECT_NEAR(measured / model, 1.0, kVarianceTolerance)
      << what << ": measured variance " << measured << ", model " << model << " over " << errors.size()
      << " samples, set " << loose_set().name;
}

void expect_rate_matches(std::size_t failures, std::size_t trials, double p, const std::string& what) {
  const double expected = p * static_cast<double>(trials);
  const double sigma = std::sqrt(expected * (1 - p));
  EXPECT_NEAR(static_cast<double>(failures), expected, kBinomialSigmas * sigma)
      << what << ": " << failures << " wrong reads in " << trials << ", model p_error " << p;
}

Torus encode(std::int64_t message) { return encode_message(message, kPrecision, Signedness::unsigned_code); }

/// kSamples big-key encryptions of messages 1, 2, 1, 2, …: interior values, whose neighbours
/// on both sides are valid codes, so that a wrong read is visible as ±1.
LweCiphertextArray fresh_big_key_encryptions(std::vector<std::int64_t>& messages, Csprng& rng) {
  const ClientKey& client = keys().client;
  LweCiphertextArray out(kSamples, loose_set().big_lwe_dimension());
  messages.resize(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) {
    messages[i] = 1 + static_cast<std::int64_t>(i % 2);
    encrypt_lwe(client, LweKeyKind::big, encode(messages[i]), rng, out[i]);
  }
  return out;
}

TEST(NoiseEngine, FreshEncryptionVariance) {
  const ClientKey& client = keys().client;
  Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed + 1);
  for (LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    const bool big = kind == LweKeyKind::big;
    std::vector<double> errors;
    for (std::size_t i = 0; i < kSamples; ++i) {
      const Torus plaintext = encode(static_cast<std::int64_t>(i % 4));
      const LweCiphertext ct = make_lwe_encryption(client, kind, plaintext, rng);
      errors.push_back(torus_error(decrypt_phase(client, ct.view()), plaintext));
    }
    const NoiseDistribution& noise = big ? loose_set().glwe_noise : loose_set().lwe_noise;
    expect_variance_matches(errors, noise::fresh_encryption_variance(noise), big ? "big key" : "small key");
  }
}

TEST(NoiseEngine, WeightedDotProductVariance) {
  const ClientKey& client = keys().client;
  Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed + 2);
  const std::vector<std::int64_t> weights = {3, -2, 1, 5};  // ‖w‖₂² = 39
  const std::vector<std::int64_t> messages = {1, 0, 2, 1};  // Σ w·m = 3 + 0 + 2 + 5 = 10 ≡ 2 (mod 4)
  std::vector<LweCiphertext> inputs(weights.size());
  std::vector<const Torus*> input_pointers(weights.size());
  LweCiphertext out(loose_set().big_lwe_dimension());
  std::vector<double> errors;
  for (std::size_t s = 0; s < kSamples; ++s) {
    Torus expected = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      inputs[i] = make_lwe_encryption(client, LweKeyKind::big, encode(messages[i]), rng);
      input_pointers[i] = inputs[i].view().data();
      expected += static_cast<Torus>(weights[i]) * encode(messages[i]);
    }
    lwe_dot_product(input_pointers, weights, out.view());
    errors.push_back(torus_error(decrypt_phase(client, out.view()), expected));
  }
  expect_variance_matches(
      errors, noise::linear_combination_variance(weights, noise::fresh_encryption_variance(loose_set().glwe_noise)),
      "dot product, weights {3, -2, 1, 5}");
}

/// Number of ones in a binary key.
double hamming_weight(std::span<const Torus> key_bits) {
  double ones = 0;
  for (Torus bit : key_bits) ones += static_cast<double>(bit);
  return ones;
}

/// Phase modulo 2N of a modulus-switched small-key ciphertext: b − Σ a_i s_i.
std::int64_t switched_phase(std::span<const Torus> switched, std::span<const Torus> key_bits, std::int64_t two_N) {
  std::int64_t phase = static_cast<std::int64_t>(switched.back());
  for (std::size_t i = 0; i < key_bits.size(); ++i) phase -= static_cast<std::int64_t>(switched[i] * key_bits[i]);
  return ((phase % two_N) + two_N) % two_N;
}

TEST(NoiseEngine, KeyswitchAndModulusSwitchVariance) {
  const ParameterSet& set = loose_set();
  const ClientKey& client = keys().client;
  Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed + 3);
  std::vector<std::int64_t> messages;
  const LweCiphertextArray inputs = fresh_big_key_encryptions(messages, rng);
  LweCiphertextArray switched(kSamples, set.lwe_dimension);
  keyswitch_batch(keys().server.keyswitch_key(), inputs, switched, pool());

  std::vector<double> ks_errors;
  for (std::size_t i = 0; i < kSamples; ++i) {
    ks_errors.push_back(torus_error(decrypt_phase(client, switched[i]), encode(messages[i])));
  }
  // The modulus switch's own error: the switched phase against the exact phase scaled to 2N.
  const auto switch_errors = [&](ModulusSwitchKind kind) {
    const std::int64_t two_N = static_cast<std::int64_t>(2 * set.polynomial_size.value);
    std::vector<Torus> mod_switched(set.lwe_dimension.value + 1);
    std::vector<double> errors;
    for (std::size_t i = 0; i < kSamples; ++i) {
      modulus_switch(switched[i], set.polynomial_size, kind, mod_switched);
      const double exact =
          static_cast<double>(decrypt_phase(client, switched[i])) * 0x1p-64 * static_cast<double>(two_N);
      double error = static_cast<double>(switched_phase(mod_switched, client.small_key().bits(), two_N)) - exact;
      error -= static_cast<double>(two_N) * std::round(error / static_cast<double>(two_N));
      errors.push_back(error / static_cast<double>(two_N));
    }
    return errors;
  };
  // The model averages the rounding terms over keys (a binary key has n/2 ones on average);
  // this test has one key, so those terms are rescaled to its actual weight h. Without that, the
  // key's own spread (relative 1/√n: 4% for n = 592) would use up most of the tolerance.
  ParameterSet without_key_noise = set;
  without_key_noise.lwe_noise.std_dev = 0;
  const double ks_rounding = noise::keyswitch_variance(without_key_noise);
  const double ks_key_noise = noise::keyswitch_variance(set) - ks_rounding;
  const double big_weight_ratio =
      hamming_weight(client.glwe_key().flattened_bits()) / (static_cast<double>(set.big_lwe_dimension().value) / 2);
  expect_variance_matches(
      ks_errors, noise::fresh_encryption_variance(set.glwe_noise) + ks_key_noise + ks_rounding * big_weight_ratio,
      "after key switching");
  // V_MS = (1/12 + n/24)/(2N)² = (1 + n/2)/(12·(2N)²): the body's rounding plus one per key bit set.
  RecordProperty("small key weight", std::to_string(hamming_weight(client.small_key().bits())));
  RecordProperty("big key weight", std::to_string(hamming_weight(client.glwe_key().flattened_bits())));
  const double n = static_cast<double>(set.lwe_dimension.value);
  const double small_weight_ratio = (1 + hamming_weight(client.small_key().bits())) / (1 + n / 2);
  expect_variance_matches(switch_errors(ModulusSwitchKind::Standard),
                          noise::modulus_switch_variance(set) * small_weight_ratio, "modulus switch");
  // The centred switch on the same ciphertexts: (1/12 + n/48)/(2N)² for any key, no rescaling.
  ParameterSet centred = set;
  centred.modulus_switch_kind = ModulusSwitchKind::CenteredMean;
  expect_variance_matches(switch_errors(ModulusSwitchKind::CenteredMean), noise::modulus_switch_variance(centred),
                          "centred modulus switch");
}

// One batch of PBS with the identity table, on inputs whose noise is that of a PBS output
// (Gaussian of variance V_BR under the big key): the pipeline the set was sized for at
// ‖w‖₂ = 1, so the wrong-read rate must match the set's target_p_error. The same batch measures
// the output variance, which confirms the input model.
TEST(NoiseEngine, PbsOutputVarianceAndWrongReadRate) {
  const ParameterSet& set = loose_set();
  const ClientKey& client = keys().client;
  Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed + 4);
  const double pbs_output_std_dev = std::sqrt(noise::blind_rotation_variance(set));
  LweCiphertextArray inputs(kSamples, set.big_lwe_dimension());
  std::vector<std::int64_t> messages(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) {
    messages[i] = 1 + static_cast<std::int64_t>(i % 2);  // interior codes: both neighbours valid
    encrypt_lwe(client.glwe_key().flattened_bits(), encode(messages[i]), pbs_output_std_dev, rng, inputs[i]);
  }
  const LookupTable table = make_lookup_table(set.polynomial_size, kPrecision,
                                              [](std::uint64_t x) { return encode(static_cast<std::int64_t>(x)); });
  const LookupTable* tables[] = {&table};
  LweCiphertextArray outputs(kSamples, set.big_lwe_dimension());
  programmable_bootstrap_batch(keys().server, inputs, tables, outputs, pool());

  std::vector<double> output_errors;
  std::size_t failures = 0, off_by_one = 0;
  for (std::size_t i = 0; i < kSamples; ++i) {
    const std::int64_t read = decrypt_message(client, outputs[i], kPrecision, Signedness::unsigned_code);
    // Output noise does not depend on whether the read was right: measure it against the read.
    output_errors.push_back(torus_error(decrypt_phase(client, outputs[i]), encode(read)));
    if (read == messages[i]) continue;
    ++failures;
    if (std::abs(read - messages[i]) == 1) ++off_by_one;
  }
  expect_variance_matches(output_errors, noise::blind_rotation_variance(set), "PBS output");
  expect_rate_matches(failures, kSamples, set.target_p_error, "PBS at the set's design point");
  // The model puts all but ~1e-9 of the failures on the neighbours (wrong_read_probabilities).
  EXPECT_EQ(off_by_one, failures) << "wrong reads further than one code away";
  RecordProperty("pbs_output_variance_ratio",
                 std::to_string(mean_square(output_errors) / noise::blind_rotation_variance(set)));
  RecordProperty("wrong_reads", std::to_string(failures) + " of " + std::to_string(kSamples) + ", model " +
                                    std::to_string(set.target_p_error * kSamples));
}

// A set the optimizer made for the centred switch where the switch is almost all of the noise
// (4 bits, ‖w‖₂ = 1, p_error 0.05 at k = 5, N = 256: V_MS ≈ 95 % of the PBS input variance): the
// same pipeline as above, whose wrong-read rate must match the centred model's p_error and not the
// standard model's, which predicts about four times as many for the same set.
TEST(NoiseEngine, CentredSwitchSetWrongReadRateMatchesItsModel) {
  constexpr int p = 4;
  PbsRequirement requirement;
  requirement.precision_bits = p;
  requirement.p_error = 0.05;
  requirement.glwe_dimension = 5;
  requirement.log2_polynomial_size = 8;
  requirement.modulus_switch_kind = ModulusSwitchKind::CenteredMean;
  const ParameterSet& set = parameter_set_by_name(optimize_parameter_set(requirement, CostModel::concrete_v0).set.name);
  ASSERT_EQ(set.modulus_switch_kind, ModulusSwitchKind::CenteredMean) << set.name;
  Csprng rng = Csprng::from_seed_insecure_for_tests(kSeed + 5);
  const ClientKey client = make_client_key(set, rng);
  const ServerKey server = make_server_key(client, rng, pool());
  const auto encode_p = [](std::int64_t m) { return encode_message(m, p, Signedness::unsigned_code); };
  const double pbs_output_std_dev = std::sqrt(noise::blind_rotation_variance(set));
  LweCiphertextArray inputs(kSamples, set.big_lwe_dimension());
  std::vector<std::int64_t> messages(kSamples);
  for (std::size_t i = 0; i < kSamples; ++i) {
    messages[i] = 1 + static_cast<std::int64_t>(i % 14);  // interior codes
    encrypt_lwe(client.glwe_key().flattened_bits(), encode_p(messages[i]), pbs_output_std_dev, rng, inputs[i]);
  }
  const LookupTable table = make_lookup_table(set.polynomial_size, p,
                                              [&](std::uint64_t x) { return encode_p(static_cast<std::int64_t>(x)); });
  const LookupTable* tables[] = {&table};
  LweCiphertextArray outputs(kSamples, set.big_lwe_dimension());
  programmable_bootstrap_batch(server, inputs, tables, outputs, pool());
  std::size_t failures = 0;
  for (std::size_t i = 0; i < kSamples; ++i) {
    if (decrypt_message(client, outputs[i], p, Signedness::unsigned_code) != messages[i]) ++failures;
  }
  const double centred_p = noise::pbs_p_error(set, p, 1);
  ParameterSet standard = set;
  standard.modulus_switch_kind = ModulusSwitchKind::Standard;
  const double standard_p = noise::pbs_p_error(standard, p, 1);
  RecordProperty("set", set.name + " (n " + std::to_string(set.lwe_dimension.value) + ")");
  RecordProperty("wrong_reads", std::to_string(failures) + " of " + std::to_string(kSamples) + ", centred model " +
                                    std::to_string(centred_p * kSamples) + ", standard model " +
                                    std::to_string(standard_p * kSamples));
  expect_rate_matches(failures, kSamples, centred_p, "PBS on " + set.name);
  const double standard_expected = standard_p * kSamples;
  EXPECT_GT(std::abs(static_cast<double>(failures) - standard_expected),
            kBinomialSigmas * std::sqrt(standard_expected * (1 - standard_p)))
      << "the standard switch's model explains " << failures << " wrong reads as well: the test cannot tell them apart";
}

}  // namespace
}  // namespace veil::fhe
