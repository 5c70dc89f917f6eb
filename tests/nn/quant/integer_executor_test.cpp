// The quantizer + integer executor + simulator on a small seeded network with every
// ResNet-18 op: closeness to fp32, improved vs reference-compatible mode, p_error = 0
// equals the clear run, misread counts within binomial bounds, thread/batch independence,
// PBS accounting against the PBS actually evaluated.
#include <limits>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "nn/fixtures.hpp"
#include "veil/nn/small_resnet.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/misread_model.hpp"
#include "veil/nn/quant/pbs_account.hpp"
#include "veil/nn/quant/quantize_graph.hpp"

namespace veil::nn::quant {
namespace {

constexpr std::int64_t kCalibration = 32, kEval = 48, kClasses = 10;

struct Fixture {
  Graph graph = nn::make_small_resnet(5);
  Tensor calibration = nn::make_small_images(kCalibration, 6);
  Tensor images = nn::make_small_images(kEval, 7);
  Tensor fp32;
  Fixture() { Fp32Executor(graph, 1).run(images, fp32); }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

QuantizedCircuit quantize(QuantizationMode mode, int bits, std::optional<int> rounding = std::nullopt) {
  QuantizationConfig c;
  c.mode = mode;
  c.n_bits = NBits::uniform(bits);
  c.rounding_bits = rounding;
  ThreadPool pool(2);
  return make_quantized_circuit(fixture().graph, fixture().calibration, c, pool);
}

struct Agreement {
  double mean_relative_error = 0.0;
  int top1 = 0;
};

Agreement agreement(const Tensor& out) {
  Agreement a;
  const Tensor& ref = fixture().fp32;
  for (std::int64_t n = 0; n < kEval; ++n) {
    const float* o = out.data.data() + n * kClasses;
    const float* r = ref.data.data() + n * kClasses;
    a.mean_relative_error += nn::testing::relative_error(o, r, kClasses) / kEval;
    a.top1 += make_top_k({o, kClasses}, 1)[0] == make_top_k({r, kClasses}, 1)[0];
  }
  return a;
}

Agreement clear_agreement(QuantizationMode mode, int bits, std::optional<int> rounding = std::nullopt) {
  IntegerExecutor ex(quantize(mode, bits, rounding), 2);
  Tensor out;
  ex.run(fixture().images, out);
  return agreement(out);
}

// At 10 bits the quantization error is ~2^-9 of each range per layer: the logits stay within
// a few percent of fp32 and nearly every top-1 decision is kept (tolerances measured with
// margin: observed mean error 0.2-0.4%, 48/48 agreement).
TEST(IntegerExecutor, CloseToFp32AtTenBits) {
  for (auto mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const Agreement a = clear_agreement(mode, 10);
    std::printf("mode %d, 10 bits: mean relative error %.4f, top-1 %d/%lld\n", static_cast<int>(mode),
                a.mean_relative_error, a.top1, static_cast<long long>(kEval));
    EXPECT_LT(a.mean_relative_error, 0.02) << "mode " << static_cast<int>(mode);
    EXPECT_GE(a.top1, 46) << "mode " << static_cast<int>(mode);
  }
}

// At 8 bits with 7-bit rounding (the reference's regime) the improved mode must be at least
// as close to fp32 as the reference-compatible one.
TEST(IntegerExecutor, ImprovedModeAtLeastAsGoodAsReference) {
  const Agreement ref = clear_agreement(QuantizationMode::ReferenceCompatible, 8, 7);
  const Agreement imp = clear_agreement(QuantizationMode::Improved, 8, 7);
  std::printf("8 bits, rounding 7: reference error %.4f top-1 %d, improved error %.4f top-1 %d (of %lld)\n",
              ref.mean_relative_error, ref.top1, imp.mean_relative_error, imp.top1, static_cast<long long>(kEval));
  EXPECT_LE(imp.mean_relative_error, ref.mean_relative_error);
  EXPECT_GE(imp.top1, ref.top1 - 1);  // one decision of slack: 48 images are few
  EXPECT_LT(imp.mean_relative_error, 0.05);
}

// A nearly dead output channel (BN scale ~0) in a residual branch: quantized at the join's
// unit, it would blow every other channel's weights up to ~2^26; join_weight_bits caps them.
TEST(ImprovedJoins, NearlyDeadChannelDoesNotWidenTheOtherWeights) {
  Graph graph = fixture().graph;
  bool scaled = false;
  for (Node& n : graph.nodes) {
    if (n.name != "layer1.0.conv2") continue;
    Tensor& w = n.params.at("weight");
    const std::int64_t per_output = w.size() / w.shape[0];
    for (std::int64_t k = 0; k < per_output; ++k) w.data[static_cast<std::size_t>(k)] *= 1e-7f;
    scaled = true;
  }
  ASSERT_TRUE(scaled);
  const auto widest_join_weight = [&](int join_weight_bits) {
    QuantizationConfig c;
    c.mode = QuantizationMode::Improved;
    c.join_weight_bits = join_weight_bits;
    ThreadPool pool(2);
    const QuantizedCircuit circuit = make_quantized_circuit(graph, fixture().calibration, c, pool);
    std::int64_t widest = 0;
    for (const QNode& n : circuit.nodes) {
      if (n.name != "layer1.0.conv2") continue;
      for (std::int64_t w : std::get<IntConv2dAttrs>(n.attrs).weight) widest = std::max(widest, w < 0 ? -w : w);
    }
    return widest;
  };
  // The identity's power-of-two rounding may halve the unit: up to twice the cap's levels.
  EXPECT_LE(widest_join_weight(12), 2 * 2047);
  EXPECT_GE(widest_join_weight(12), 63);
  EXPECT_GT(widest_join_weight(24), 1 << 20);  // what the cap prevents
  QuantizationConfig bad;
  bad.join_weight_bits = 6;  // below op_weights
  EXPECT_THROW(validate_config(bad), InvalidArgument);
}

TEST(IntegerExecutor, ImprovedModeSpendsFewerPbs) {
  const PbsAccount ref = make_pbs_account(quantize(QuantizationMode::ReferenceCompatible, 8, 7));
  const PbsAccount imp = make_pbs_account(quantize(QuantizationMode::Improved, 8, 7));
  // Reference: stem 8x20x20 + pool 9 x 8x10x10 + 4 lookups per block output... improved: no
  // lookups on residual branches, max on accumulators.
  EXPECT_LT(imp.total, ref.total);
  // The reference mode reads its residual sums unrounded (as Concrete ML): those lookups may
  // be wider than the rounding bits, every other is not.
  for (const auto& n : ref.nodes) EXPECT_LE(n.bits, n.name.ends_with("relu2") ? 9 : 7) << n.name;
  for (const auto& [bits, pbs] : imp.by_bits) EXPECT_LE(bits, 7);
  for (const auto& n : imp.nodes) EXPECT_EQ(n.name.find(".branch"), std::string::npos) << n.name;
}

TEST(FheSimulation, ZeroErrorEqualsTheClearRun) {
  for (auto mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    IntegerExecutor ex(quantize(mode, 7, 6), 2);
    Tensor clear, sim;
    ex.run(fixture().images, clear);
    SimulationSettings s;
    s.p_error = 0.0;
    SimulationStats stats;
    ex.simulate(fixture().images, s, 0, sim, &stats);
    EXPECT_EQ(sim.data, clear.data);
    EXPECT_EQ(stats.misreads, 0u);
    // The PBS the simulator evaluated are the ones the accounting predicts.
    EXPECT_EQ(stats.pbs, make_pbs_account(ex.circuit()).total * static_cast<std::uint64_t>(kEval));
  }
}

TEST(FheSimulation, MisreadsMatchTheModelWithinBinomialBounds) {
  IntegerExecutor ex(quantize(QuantizationMode::Improved, 8, 7), 2);
  SimulationSettings s;
  s.p_error = 0.05;
  s.seed = 1234;
  Tensor sim;
  SimulationStats stats;
  ex.simulate(fixture().images, s, 0, sim, &stats);
  // Each PBS is an independent Bernoulli trial with its own probability p_i: the count has
  // mean sum p_i and variance sum p_i (1 - p_i) <= sum p_i. 5 sigma: false alarm < 1e-6.
  const double mean = stats.expected_misreads;
  EXPECT_GT(mean, 0.05 * static_cast<double>(stats.pbs));  // off-centre residuals add to p_error
  EXPECT_NEAR(static_cast<double>(stats.misreads), mean, 5.0 * std::sqrt(mean));
  // Exact rounding (no residual effect): the rate is p_error itself.
  s.rounding_method = RoundingMethod::Exact;
  ex.simulate(fixture().images, s, 0, sim, &stats);
  const double n = static_cast<double>(stats.pbs);
  EXPECT_NEAR(stats.expected_misreads, 0.05 * n, 1e-6 * n);
  EXPECT_NEAR(static_cast<double>(stats.misreads), 0.05 * n, 5.0 * std::sqrt(0.05 * 0.95 * n));
}

// p_error stated for 7-bit reads: a circuit reading 9 bits draws each PBS with the noise of a
// 7-bit read at that p_error, i.e. misreads its own 9-bit index at p_error_at_bits(p, 7, 9).
TEST(FheSimulation, PErrorBitsHoldFinerReadsToTheSameNoise) {
  IntegerExecutor ex(quantize(QuantizationMode::Improved, 8, 9), 2);
  SimulationSettings s;
  s.p_error = 0.05;
  s.p_error_bits = 7;
  s.seed = 77;
  s.rounding_method = RoundingMethod::Exact;  // box centres: the rate is the model's p_error
  Tensor sim;
  SimulationStats stats;
  ex.simulate(fixture().images, s, 0, sim, &stats);
  const double n = static_cast<double>(stats.pbs);
  const double p9 = p_error_at_bits(0.05, 7, 9);
  EXPECT_NEAR(stats.expected_misreads, p9 * n, 1e-6 * n);
  EXPECT_NEAR(static_cast<double>(stats.misreads), p9 * n, 5.0 * std::sqrt(p9 * (1 - p9) * n));
  s.p_error_bits = -1;
  EXPECT_THROW(ex.simulate(fixture().images, s, 0, sim, &stats), InvalidArgument);
}

TEST(FheSimulation, PerNodeErrorProbabilities) {
  IntegerExecutor ex(quantize(QuantizationMode::Improved, 8, 7), 1);
  SimulationSettings s;
  s.p_error = 0.0;
  s.p_error_by_node["layer1.0.relu1"] = 0.2;
  Tensor sim;
  SimulationStats stats;
  ex.simulate(fixture().images, s, 0, sim, &stats);
  EXPECT_GT(stats.misreads, 0u);
  std::uint64_t node_pbs = 0;
  for (const auto& n : make_pbs_account(ex.circuit()).nodes) node_pbs += n.name == "layer1.0.relu1" ? n.pbs : 0;
  EXPECT_LE(stats.misreads, node_pbs * static_cast<std::uint64_t>(kEval));
  s.p_error_by_node["no.such.node"] = 0.1;
  EXPECT_THROW(ex.simulate(fixture().images, s, 0, sim, &stats), InvalidArgument);
}

TEST(FheSimulation, IndependentOfThreadsAndBatching) {
  const QuantizedCircuit c = quantize(QuantizationMode::ReferenceCompatible, 7, 6);
  SimulationSettings s;
  s.seed = 99;
  Tensor one_thread, two_threads;
  IntegerExecutor(c, 1).simulate(fixture().images, s, 0, one_thread);
  IntegerExecutor(c, 2).simulate(fixture().images, s, 0, two_threads);
  EXPECT_EQ(one_thread.data, two_threads.data);
  // The second half as its own batch, numbered from image 24.
  const std::size_t half = fixture().images.data.size() / 2;
  Tensor second({kEval / 2, 3, 20, 20});
  std::copy(fixture().images.data.begin() + static_cast<std::ptrdiff_t>(half), fixture().images.data.end(),
            second.data.begin());
  Tensor second_out;
  IntegerExecutor(c, 2).simulate(second, s, kEval / 2, second_out);
  EXPECT_TRUE(std::equal(second_out.data.begin(), second_out.data.end(),
                         one_thread.data.begin() + static_cast<std::ptrdiff_t>(second_out.data.size())));
  s.seed = 100;
  Tensor other_seed;
  IntegerExecutor(c, 2).simulate(fixture().images, s, 0, other_seed);
  EXPECT_NE(other_seed.data, one_thread.data);
}

TEST(IntegerExecutor, RejectsBadInput) {
  IntegerExecutor ex(quantize(QuantizationMode::Improved, 6, 6), 1);
  Tensor out;
  EXPECT_THROW(ex.run(Tensor({2, 3, 21, 20}), out), InvalidArgument);
  QuantizationConfig c;
  c.n_bits.op_weights = 1;
  ThreadPool pool(1);
  EXPECT_THROW(make_quantized_circuit(fixture().graph, fixture().calibration, c, pool), InvalidArgument);
  EXPECT_THROW(make_quantized_circuit(fixture().graph, Tensor({1, 3, 8, 8}), QuantizationConfig{}, pool),
               InvalidArgument);
}

TEST(QuantizedCircuit, ValidationNamesTheNode) {
  QuantizedCircuit c = quantize(QuantizationMode::Improved, 8, 7);
  for (QNode& n : c.nodes) {
    if (auto* a = std::get_if<IntConv2dAttrs>(&n.attrs)) {
      a->bias.pop_back();
      break;
    }
  }
  try {
    validate_circuit(c);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("bias"), std::string::npos) << e.what();
  }
}

TEST(QuantizedCircuit, ValidationRefusesDegenerateNodes) {
  const QuantizedCircuit good = quantize(QuantizationMode::Improved, 8, 7);
  auto expect_refused = [](const QuantizedCircuit& c, const std::string& what) {
    try {
      validate_circuit(c);
      ADD_FAILURE() << "expected InvalidArgument mentioning " << what;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  auto first_conv = [](QuantizedCircuit& c) -> IntConv2dAttrs& {
    for (QNode& n : c.nodes) {
      if (auto* a = std::get_if<IntConv2dAttrs>(&n.attrs)) return *a;
    }
    throw std::logic_error("no conv");
  };
  QuantizedCircuit c = good;
  first_conv(c).weight_shape[0] = 0;  // no output channel: bounds would divide by zero
  expect_refused(c, "weight shape");
  c = good;
  first_conv(c).padding = std::int64_t{1} << 62;  // in + 2p would overflow
  expect_refused(c, "padding");
  c = good;
  c.nodes[1].scale.scale.assign(c.nodes[1].scale.scale.size(), std::numeric_limits<double>::quiet_NaN());
  expect_refused(c, "scale");
}

TEST(PbsAccount, CostEquivalents) {
  PbsAccount a;
  a.by_bits = {{6, 100}, {7, 10}};
  a.total = 110;
  EXPECT_DOUBLE_EQ(lookup_cost_equivalents(a, {{6, 15.0}, {7, 45.0}}), 130.0);
  EXPECT_THROW(lookup_cost_equivalents(a, {{6, 15.0}}), InvalidArgument);
}

TEST(FheSimulation, OutputNoiseHasTheRequestedSpread) {
  IntegerExecutor ex(quantize(QuantizationMode::Improved, 8, 7), 2);
  Tensor clear, sim;
  ex.run(fixture().images, clear);
  SimulationSettings s;
  s.p_error = 0.0;              // only the output noise
  s.output_noise_std = 1000.0;  // well above float32 rounding of the logits
  s.seed = 5;
  ex.simulate(fixture().images, s, 0, sim);
  // Back in output integers: (sim - clear) / scale per element.
  const QNode& out = ex.circuit().node(ex.circuit().output);
  double sum2 = 0.0;
  for (std::size_t i = 0; i < sim.data.size(); ++i) {
    const auto c = static_cast<std::int64_t>(i % static_cast<std::size_t>(out.shape[0]));
    const double d = (static_cast<double>(sim.data[i]) - clear.data[i]) / out.scale.scale_at(c);
    sum2 += d * d;
  }
  const double n = static_cast<double>(sim.data.size());
  // Sample variance of n Gaussians: relative std error sqrt(2/n); 5 sigma plus 1% for float32.
  EXPECT_NEAR(sum2 / n, 1e6, (5.0 * std::sqrt(2.0 / n) + 0.01) * 1e6);
  s.output_noise_std = -1.0;
  EXPECT_THROW(ex.simulate(fixture().images, s, 0, sim), InvalidArgument);
}

}  // namespace
}  // namespace veil::nn::quant
