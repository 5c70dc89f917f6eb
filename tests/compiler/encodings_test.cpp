// compile_program on hand-built circuits: exponents, output bound, noise bounds, PBS sites and
// norms computed by hand, and the noiseless phase evaluation equal to the integer executor.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "compiler/compile_steps.hpp"
#include "compiler/phase_evaluator.hpp"
#include "compiler/tiny_circuits.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/nn/quant/integer_executor.hpp"

namespace veil::compiler {
namespace {

using nn::quant::MaxPoolSchedule;

void expect_noise(const NoiseBound& found, double bootstrap, double fresh, const std::string& what) {
  EXPECT_DOUBLE_EQ(found.bootstrap, bootstrap) << what;
  EXPECT_DOUBLE_EQ(found.fresh, fresh) << what;
}

std::vector<int> exponents(const FheProgram& p) {
  std::vector<int> e;
  for (const ValueEncoding& v : p.encodings) e.push_back(v.exponent);
  return e;
}

// Images whose integers cover [0, 15] and beyond (clamped), for the tiny circuits' inputs.
Tensor tiny_images(std::int64_t n, const Shape& shape, std::uint32_t seed) {
  Shape s{n};
  s.insert(s.end(), shape.begin(), shape.end());
  Tensor t(s);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 18.0f);
  for (float& x : t.data) x = dist(rng);
  return t;
}

// The oracle against nn's integer executor on `n` random images.
void expect_phases_match_executor(const FheProgram& program, std::int64_t n) {
  const Shape& in = program.circuit.nodes[0].shape;
  const Tensor images = tiny_images(n, in, 5);
  nn::quant::IntTensor expected;
  nn::quant::IntegerExecutor(program.circuit, 1).run_integers(images, expected);
  testing::PhaseEvaluator evaluator(program);
  const std::size_t outputs = expected.data.size() / static_cast<std::size_t>(n);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::vector<std::int64_t> found = evaluator.run(images.data.data() + i * element_count(in));
    const std::vector<std::int64_t> want(expected.data.begin() + i * static_cast<std::int64_t>(outputs),
                                         expected.data.begin() + (i + 1) * static_cast<std::int64_t>(outputs));
    ASSERT_EQ(found, want) << "image " << i;
  }
  EXPECT_GT(evaluator.ties(), 0u) << "no PBS read sat on a rounding tie";
}

TEST(Encodings, OutputDecodesTheCalibratedBoundWhenTighter) {
  nn::quant::QuantizedCircuit circuit = testing::residual_circuit();
  circuit.output_decode_bound = 60;  // 6 bits instead of the proven 340's 9: three bits higher
  FheProgram p = compile_program(circuit, testing::uniform());
  EXPECT_EQ(p.output.bound, 60);
  EXPECT_FALSE(p.output.proven);
  EXPECT_EQ(p.output.exponent, 64 - (6 + 2));
  EXPECT_EQ(p.encodings.back().exponent, 56);
  circuit.output_decode_bound = 1000;  // looser than the proof: the proof wins
  p = compile_program(circuit, testing::uniform());
  EXPECT_EQ(p.output.bound, 340);
  EXPECT_TRUE(p.output.proven);
  EXPECT_EQ(p.output.exponent, 53);
}

TEST(Encodings, ResidualCircuitByHand) {
  const FheProgram p = compile_program(testing::residual_circuit(), testing::uniform());
  // fc's range: row 1 reaches 100 + 20 * 4 * 3 = 340 (9 bits): 64 - (9 + 2) = 53.
  EXPECT_EQ(p.output.bound, 340);
  EXPECT_EQ(p.output.exponent, 53);
  // relu1's value is read by conv2 (needs 63-4-1 = 58) and by add (needs 63-3-5 = 55).
  EXPECT_EQ(exponents(p), (std::vector<int>{56, 56, 55, 58, 55, 55, 53, 53, 53, 53}));
  const std::vector<ValueEncoding>& e = p.encodings;
  expect_noise(e[0].noise, 0, 1, "input");
  expect_noise(e[1].noise, 0, 14, "conv1: worst row 2^2 + 3^2 + 1^2");
  expect_noise(e[2].noise, 1, 0, "relu1");
  expect_noise(e[3].noise, 640, 0, "conv2: row 1^2 + 3^2, lifted by 2^3");
  expect_noise(e[5].noise, 50, 0, "add: channel 1 (5 + 2)^2 + 1^2");
  expect_noise(e[7].noise, 4, 0, "sum-pool 2x2");
  expect_noise(e[9].noise, 400, 0, "fc: row 2, 10^2 * 4");
  ASSERT_EQ(p.pbs_sites.size(), 3u);
  const double fresh_ratio =
      fhe::noise::fresh_encryption_variance(p.params.glwe_noise) / fhe::noise::blind_rotation_variance(p.params);
  struct Expected {
    const char* name;
    int bits, read, output;
    double bootstrap, fresh;
  };
  const Expected expected[] = {{"relu1", 4, 56, 55, 0, 14}, {"relu2", 4, 58, 55, 640, 0}, {"relu3", 3, 55, 53, 50, 0}};
  for (std::size_t i = 0; i < 3; ++i) {
    const PbsSite& s = p.pbs_sites[i];
    const Expected& x = expected[i];
    EXPECT_EQ(p.circuit.node(s.node).name, x.name);
    EXPECT_EQ(s.precision_bits, x.bits) << x.name;
    EXPECT_EQ(s.read_exponent, x.read) << x.name;
    EXPECT_EQ(s.output_exponent, x.output) << x.name;
    EXPECT_EQ(s.count, 32u) << x.name;
    expect_noise(s.input_noise, x.bootstrap, x.fresh, x.name);
    const double norm2 = std::sqrt(x.bootstrap + x.fresh * fresh_ratio);
    EXPECT_DOUBLE_EQ(s.norm2, norm2) << x.name;
    EXPECT_DOUBLE_EQ(s.p_error, fhe::noise::pbs_p_error(p.params, x.bits, norm2)) << x.name;
    EXPECT_LE(s.p_error, 0.05) << x.name;
    EXPECT_EQ(p.site_of(s.node), &s);
  }
  EXPECT_EQ(p.site_of(1), nullptr);
  const double log_success = 32 * (std::log1p(-p.pbs_sites[0].p_error) + std::log1p(-p.pbs_sites[1].p_error) +
                                   std::log1p(-p.pbs_sites[2].p_error));
  EXPECT_DOUBLE_EQ(p.circuit_p_error, -std::expm1(log_success));
  const double v_out = 400 * fhe::noise::blind_rotation_variance(p.params);
  EXPECT_DOUBLE_EQ(p.output.p_error, std::erfc(std::ldexp(1.0, 52 - 64) / std::sqrt(2 * v_out)));
  EXPECT_DOUBLE_EQ(p.output.noise_std, std::sqrt(v_out) * std::ldexp(1.0, 64 - 53));
  const auto sim = simulation_p_errors(p);
  ASSERT_EQ(sim.size(), 3u);
  EXPECT_EQ(sim[1].first, "relu2");
  EXPECT_EQ(sim[1].second, p.pbs_sites[1].p_error);
  expect_phases_match_executor(p, 200);
}

TEST(Encodings, CombineInputSharingAPowerOfTwoSitsAboveTheNode) {
  // The join reads relu2 with 4 = 2^2 and relu1 with (8 | 24) = 2^3 * (1 | 3) and 16 = 2^4.
  nn::quant::QuantizedCircuit c = testing::residual_circuit();
  ASSERT_EQ(c.nodes[5].name, "add");
  c.nodes[5].attrs = nn::quant::CombineAttrs{{{4}, {8, 24}, {16}}, {0}};
  const FheProgram p = compile_program(c, testing::uniform());
  // relu2 at 55 + 2; relu1 at min(conv2's 58, 55 + 3, 55 + 4) = 58, so conv2 no longer lifts it.
  EXPECT_EQ(exponents(p), (std::vector<int>{56, 56, 58, 58, 57, 55, 53, 53, 53, 53}));
  const std::vector<ValueEncoding>& e = p.encodings;
  expect_noise(e[3].noise, 10, 0, "conv2: row 1^2 + 3^2, no lift");
  expect_noise(e[5].noise, 26, 0, "add: (4 / 2^2)^2 + ((24 + 16) / 2^3)^2 (was 4^2 + 40^2 at 55)");
  ASSERT_EQ(p.pbs_sites.size(), 3u);
  expect_noise(p.pbs_sites[1].input_noise, 10, 0, "relu2");
  expect_noise(p.pbs_sites[2].input_noise, 26, 0, "relu3");
  expect_phases_match_executor(p, 200);
}

TEST(Encodings, LiftedWeightDividesExactlyOrRefuses) {
  EXPECT_EQ(lifted_weight(-3, 50, 52, "w"), -12);
  EXPECT_EQ(lifted_weight(-24, 58, 55, "w"), -3);
  EXPECT_EQ(lifted_weight(0, 60, 50, "w"), 0);
  EXPECT_EQ(lifted_weight(1, 0, 63, "w"), std::numeric_limits<std::int64_t>::min());
  EXPECT_THROW(lifted_weight(12, 58, 55, "w"), InvalidArgument);
  EXPECT_THROW(lifted_weight(1, 0, 64, "w"), InvalidArgument);
  EXPECT_EQ(detail::shared_twos({8, -24, 0}), 3);
  EXPECT_EQ(detail::shared_twos({0}), 0);
}

TEST(Encodings, MaxPoolOfBothSchedulesByHand) {
  for (MaxPoolSchedule schedule : {MaxPoolSchedule::Sequential, MaxPoolSchedule::Separable}) {
    const bool sequential = schedule == MaxPoolSchedule::Sequential;
    SCOPED_TRACE(sequential ? "sequential" : "separable");
    const FheProgram p = compile_program(testing::max_pool_circuit(schedule), testing::uniform());
    // join = 4 * [-15, 15] + 9 * [0, 46] reaches 474 (9 bits): exponent 53. The max-pool sits at
    // min(requant's read 63-5-3 = 55, its pair's read 63-6-1 = 56); the conv at min(55, 53);
    // requant at 53 + 2, the join dividing its multiplier 4 = 2^2.
    EXPECT_EQ(p.output.bound, 474);
    EXPECT_EQ(exponents(p), (std::vector<int>{53, 53, 55, 55, 53, 53}));
    // Input noise of the pool: 3^2 fresh, lifted by 2^(55-53): n = 144 fresh.
    const double n = 144;
    expect_noise(p.encodings[2].noise, sequential ? 8 : 4, n, "max-pool output: n + 8 BS or n + 2(k-1) BS");
    expect_noise(p.encodings[5].noise, 1, 81, "join: (4 / 2^2)^2 BS + 9 * 9 fresh");
    ASSERT_EQ(p.pbs_sites.size(), 2u);
    const PbsSite& pool = p.pbs_sites[0];
    EXPECT_EQ(pool.node, 2);
    EXPECT_EQ(pool.precision_bits, 6);
    EXPECT_EQ(pool.read_exponent, 56);
    EXPECT_EQ(pool.output_exponent, 55);
    // Worst difference 2n + (k^2 - 2) BS or 2n + (3k - 4) BS, lifted by 2^(56-55).
    expect_noise(pool.input_noise, 4 * (sequential ? 7 : 5), 4 * 2 * n, "pair lookup");
    // 3x3 outputs: 8 pairwise each, or 6 rows x 5 folds + 3 columns x 5 folds.
    EXPECT_EQ(pool.count, sequential ? 72u : 45u);
    const PbsSite& requant = p.pbs_sites[1];
    EXPECT_EQ(requant.read_exponent, 55);
    expect_noise(requant.input_noise, sequential ? 8 : 4, n, "requant reads the pool at its exponent");
    expect_phases_match_executor(p, 200);
  }
}

TEST(Encodings, LookupTooWideForTheTorusIsRefused) {
  nn::quant::QuantizedCircuit c = testing::residual_circuit();
  std::get<nn::quant::LookupAttrs>(c.nodes[2].attrs).shift = 60;  // 4 + 60 > 63
  try {
    compile_program(c, testing::uniform());
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("relu1"), std::string::npos) << e.what();
  }
}

TEST(Encodings, UndecodableOutputIsRefused) {
  nn::quant::QuantizedCircuit c = testing::residual_circuit();
  auto& fc = std::get<nn::quant::IntLinearAttrs>(c.nodes[9].attrs);
  fc.bias[0] = std::int64_t{1} << 62;
  EXPECT_THROW(compile_program(c, testing::uniform()), InvalidArgument);
  EXPECT_EQ(detail::decodable_exponent((std::int64_t{1} << 62) - 1, "x"), 0);
  EXPECT_EQ(detail::decodable_exponent(0, "x"), 62);
  EXPECT_EQ(detail::decodable_exponent(1, "x"), 61);
  EXPECT_EQ(detail::decodable_exponent(4, "x"), 59);
}

TEST(Encodings, UnreadValueIsRefused) {
  nn::quant::QuantizedCircuit c = testing::residual_circuit();
  c.output = 6;  // relu3: pool, flatten and fc are no longer read
  EXPECT_THROW(compile_program(c, testing::uniform()), InvalidArgument);
}

}  // namespace
}  // namespace veil::compiler
