// Statistics of compiled programs: PBS totals equal nn's PBS account, linear operations and
// sizes recomputed from their definitions, the JSON parses back with the documented keys, the
// summary names the set.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "compiler/small_network.hpp"
#include "compiler/tiny_circuits.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/nn/quant/pbs_account.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationMode;

TEST(Statistics, PbsAndSizesOfTheSmallNetwork) {
  for (QuantizationMode mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const FheProgram p = compile_program(testing::small_network(mode, 7), testing::uniform());
    const CircuitStatistics s = make_statistics(p);
    const nn::quant::PbsAccount account = nn::quant::make_pbs_account(p.circuit);
    EXPECT_EQ(s.parameter_set, p.params.name);
    EXPECT_EQ(s.pbs, account.total);
    EXPECT_EQ(s.keyswitches, account.total);
    EXPECT_EQ(s.pbs_by_precision, account.by_bits);
    ASSERT_EQ(s.nodes.size(), p.circuit.nodes.size());
    std::uint64_t node_pbs = 0;
    for (const NodeStatistics& n : s.nodes) node_pbs += n.pbs;
    EXPECT_EQ(node_pbs, account.total);
    for (const nn::quant::PbsNodeCount& c : account.nodes) {
      const auto it =
          std::find_if(s.nodes.begin(), s.nodes.end(), [&](const NodeStatistics& n) { return n.name == c.name; });
      ASSERT_NE(it, s.nodes.end()) << c.name;
      EXPECT_EQ(it->pbs, c.pbs) << c.name;
      EXPECT_EQ(it->precision_bits, c.bits) << c.name;
    }
    const fhe::ParameterSet& ps = p.params;
    const std::uint64_t n = ps.lwe_dimension.value, k = ps.glwe_dimension.value, big = k * ps.polynomial_size.value;
    EXPECT_EQ(s.big_ciphertext_bytes, 8 * (big + 1));
    EXPECT_EQ(s.small_ciphertext_bytes, 8 * (n + 1));
    EXPECT_EQ(s.keyswitch_key_bytes, 8 * big * ps.ks_level.value * (n + 1));
    EXPECT_EQ(s.bootstrap_key_bytes, 8 * n * (k + 1) * (k + 1) * ps.pbs_level.value * ps.polynomial_size.value);
    EXPECT_EQ(s.input_ciphertexts, 3u * testing::kSmallInputSize * testing::kSmallInputSize);
    EXPECT_EQ(s.output_ciphertexts, 10u);
    EXPECT_EQ(s.input_bytes, 8u * s.input_ciphertexts + 16);
    EXPECT_EQ(s.output_bytes, 10 * s.big_ciphertext_bytes);
    EXPECT_EQ(s.cost_units, static_cast<double>(account.total) * fhe::parameter_set_cost(ps));
    EXPECT_EQ(s.circuit_p_error, p.circuit_p_error);
    EXPECT_EQ(s.requested_p_error, 0.05);
    EXPECT_LE(s.max_pbs_p_error, 0.05);
    EXPECT_GT(s.max_pbs_p_error, 0.0);
  }
}

// conv1 3x3 over 1 channel: 32 outputs x 9; conv2 1x1 over 2 channels: 32 x 2; add: 32 x 3
// inputs; pool 2x2: 8 x 4; fc: 3 x 8.
TEST(Statistics, LinearOperationsByHand) {
  const CircuitStatistics s = make_statistics(compile_program(testing::residual_circuit(), testing::uniform()));
  const std::uint64_t expected[] = {0, 288, 0, 64, 0, 96, 0, 32, 0, 24};
  ASSERT_EQ(s.nodes.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(s.nodes[i].linear_ops, expected[i]) << s.nodes[i].name;
  EXPECT_EQ(s.linear_ops, 288u + 64 + 96 + 32 + 24);
  // A max-pool: 3 per pairwise max.
  const CircuitStatistics pool = make_statistics(
      compile_program(testing::max_pool_circuit(nn::quant::MaxPoolSchedule::Separable), testing::uniform()));
  EXPECT_EQ(pool.nodes[2].linear_ops, 3u * 45);
}

TEST(Statistics, JsonHasTheDocumentedKeys) {
  const CircuitStatistics s =
      make_statistics(compile_program(testing::small_network(QuantizationMode::Improved, 7), testing::uniform()));
  const nlohmann::json doc = nlohmann::json::parse(statistics_json(s));
  for (const char* key : {"parameter_set",
                          "pbs",
                          "pbs_by_precision",
                          "keyswitches",
                          "linear_ops",
                          "nodes",
                          "bootstrap_key_bytes",
                          "keyswitch_key_bytes",
                          "compressed_key_bytes",
                          "big_ciphertext_bytes",
                          "small_ciphertext_bytes",
                          "input_ciphertexts",
                          "output_ciphertexts",
                          "input_bytes",
                          "output_bytes",
                          "requested_p_error",
                          "p_error_bits",
                          "max_pbs_p_error",
                          "circuit_p_error",
                          "output_p_error",
                          "output_noise_std",
                          "output_bound",
                          "output_bound_proven",
                          "parameter_set_cost",
                          "cost_units",
                          "partitions",
                          "equivalent_pbs"}) {
    EXPECT_TRUE(doc.contains(key)) << key;
  }
  EXPECT_EQ(doc.size(), 27u);
  ASSERT_EQ(doc["partitions"].size(), 1u);
  EXPECT_EQ(doc["partitions"][0]["parameter_set"]["name"], s.params.name);
  EXPECT_EQ(doc["partitions"][0]["pbs"].get<std::uint64_t>(), s.pbs);
  EXPECT_EQ(doc["partitions"][0]["cost_units"].get<double>(), s.cost_units);
  EXPECT_EQ(doc["equivalent_pbs"].get<double>(), static_cast<double>(s.pbs));
  EXPECT_EQ(doc["output_bound"].get<std::int64_t>(), s.output_bound);
  EXPECT_FALSE(doc["output_bound_proven"].get<bool>());  // the small network's calibration x 4 is tighter
  const nlohmann::json& set = doc["parameter_set"];
  EXPECT_EQ(set["name"], s.params.name);
  EXPECT_EQ(set["source"], s.params.source);
  EXPECT_EQ(set["polynomial_size"], s.params.polynomial_size.value);
  EXPECT_EQ(set["glwe_noise_std_dev"].get<double>(), s.params.glwe_noise.std_dev);
  for (const char* key : {"security_bits", "precision_bits", "log2_norm2", "target_p_error", "lwe_dimension",
                          "glwe_dimension", "lwe_noise_std_dev", "pbs_base_log", "pbs_level", "ks_base_log", "ks_level",
                          "modulus_switch", "insecure_for_tests"}) {
    EXPECT_TRUE(set.contains(key)) << key;
  }
  EXPECT_EQ(doc["pbs"].get<std::uint64_t>(), s.pbs);
  std::uint64_t by_precision = 0;
  for (const auto& [bits, pbs] : doc["pbs_by_precision"].items()) {
    EXPECT_EQ(pbs.get<std::uint64_t>(), s.pbs_by_precision.at(std::stoi(bits)));
    by_precision += pbs.get<std::uint64_t>();
  }
  EXPECT_EQ(by_precision, s.pbs);
  ASSERT_EQ(doc["nodes"].size(), s.nodes.size());
  const nlohmann::json& node = doc["nodes"][s.nodes.size() - 2];  // before the fc
  EXPECT_EQ(node["name"], s.nodes[s.nodes.size() - 2].name);
  for (const char* key :
       {"op", "pbs", "precision_bits", "p_error", "target_p_error", "norm2", "linear_ops", "partition"})
    EXPECT_TRUE(node.contains(key)) << key;
  EXPECT_EQ(doc["circuit_p_error"].get<double>(), s.circuit_p_error);
}

TEST(Statistics, SummaryNamesTheSetAndTheBusiestNodes) {
  const CircuitStatistics s =
      make_statistics(compile_program(testing::small_network(QuantizationMode::Improved, 7), testing::uniform()));
  const std::string text = statistics_summary(s);
  std::printf("%s", text.c_str());
  EXPECT_NE(text.find(s.parameter_set), std::string::npos);
  EXPECT_NE(text.find("maxpool"), std::string::npos);
  EXPECT_NE(text.find("IND-CPA^D"), std::string::npos);
  const auto lines = std::count(text.begin(), text.end(), '\n');
  EXPECT_GE(lines, 12);
  EXPECT_LE(lines, 25);
  EXPECT_EQ(text.find("tables finer than"), std::string::npos);
}

// Fine reads: 10-bit tables held to a 7-bit read's noise are counted as 10 bits and said to be
// read at the noise of 7-bit reads.
TEST(Statistics, SummarySaysFineReadsAreHeldToTheStatedReadsNoise) {
  CompileOptions options = testing::uniform();
  options.p_error_bits = 7;
  const CircuitStatistics s =
      make_statistics(compile_program(testing::small_network(QuantizationMode::Improved, 10), options));
  ASSERT_EQ(s.pbs_by_precision.rbegin()->first, 10);
  const std::string text = statistics_summary(s);
  EXPECT_NE(text.find("10 bits: "), std::string::npos);
  EXPECT_NE(text.find("(tables finer than 7 bits, read at the noise of 7-bit reads)"), std::string::npos);
}

}  // namespace
}  // namespace veil::compiler
