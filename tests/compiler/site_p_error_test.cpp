// Per-site p_error targets (CompileOptions::p_error_by_node): a site is held to its own target
// instead of the global one, on a named set, in the uniform choice and in the multi-parameter
// search; a target naming no PBS site, or outside (0, 1), is refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "compiler/small_network.hpp"
#include "compiler/tiny_circuits.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/nn/quant/misread_model.hpp"

namespace veil::compiler {
namespace {

const PbsSite& site_named(const FheProgram& p, const std::string& name) {
  for (const PbsSite& s : p.pbs_sites) {
    if (p.circuit.node(s.node).name == name) return s;
  }
  throw std::runtime_error("no site " + name);
}

double worst_p_error(const FheProgram& p) {
  double worst = 0;
  for (const PbsSite& s : p.pbs_sites) worst = std::max(worst, s.p_error);
  return worst;
}

TEST(SitePError, NamedSetPassesWhenTheWorstSiteHasItsOwnLooserTarget) {
  // The residual circuit's cheapest uniform set at p_error 0.05 and its worst site there; pinned
  // to that set with a global target below that site's p_error, only the site's own target lets
  // it compile.
  CompileOptions loose = testing::uniform();
  loose.p_error = 0.05;
  const FheProgram program = compile_program(testing::residual_circuit(), loose);
  const PbsSite* worst = &program.pbs_sites.front();
  for (const PbsSite& s : program.pbs_sites) worst = s.p_error > worst->p_error ? &s : worst;
  const std::string name = program.circuit.node(worst->node).name;
  ASSERT_GT(worst->p_error, 0);

  double others = 0;  // the other sites' worst: the global target that holds them and not `worst`
  for (const PbsSite& s : program.pbs_sites) others = &s == worst ? others : std::max(others, s.p_error);
  ASSERT_LT(others, worst->p_error);

  CompileOptions pinned = testing::uniform();
  pinned.parameter_set = program.params.name;
  pinned.p_error = others;
  EXPECT_THROW(compile_program(testing::residual_circuit(), pinned), InvalidArgument);
  pinned.p_error_by_node[name] = worst->p_error * 1.01;
  const FheProgram relaxed = compile_program(testing::residual_circuit(), pinned);
  EXPECT_EQ(site_named(relaxed, name).target_p_error, worst->p_error * 1.01);
  const CircuitStatistics stats = make_statistics(relaxed);
  for (const NodeStatistics& n : stats.nodes) {
    if (n.pbs == 0) continue;
    EXPECT_EQ(n.target_p_error, n.name == name ? worst->p_error * 1.01 : pinned.p_error) << n.name;
  }
}

TEST(SitePError, EverySiteMeetsItsOwnTargetInTheSearch) {
  CompileOptions options = testing::uniform();
  options.multi_parameter = true;
  options.p_error = 1e-6;
  const FheProgram tight = compile_program(testing::residual_circuit(), options);
  options.p_error_by_node["relu1"] = 0.1;
  const FheProgram relaxed = compile_program(testing::residual_circuit(), options);
  for (const PbsSite& s : relaxed.pbs_sites) {
    const std::string& name = relaxed.circuit.node(s.node).name;
    EXPECT_EQ(s.target_p_error, name == "relu1" ? 0.1 : 1e-6) << name;
    EXPECT_LE(s.p_error, s.target_p_error) << name;
  }
  EXPECT_LE(worst_p_error(tight), 1e-6);
  // relu1's slack is used: its set is cheaper, or at least no dearer, than under the tight target.
  EXPECT_LE(make_statistics(relaxed).cost_units, make_statistics(tight).cost_units);
}

TEST(SitePError, TargetsNamingNoSiteOrOutOfRangeAreRefused) {
  CompileOptions options = testing::uniform();
  options.p_error_by_node["no_such_node"] = 0.1;
  try {
    compile_program(testing::residual_circuit(), options);
    FAIL() << "a target for an unknown node compiled";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_node"), std::string::npos) << e.what();
  }
  for (const double bad : {0.0, 1.0, -0.1}) {
    options.p_error_by_node = {{"relu1", bad}};
    EXPECT_THROW(compile_program(testing::residual_circuit(), options), InvalidArgument) << bad;
  }
}

// p_error stated for 7-bit reads (CompileOptions::p_error_bits): the small network reading 10
// bits is held, site by site, to the noise of a 7-bit read, so it compiles to sets of the same
// cost as the 7-bit circuit at the same p_error (a finer read needs no lower noise), and the
// statistics say at which precision the target was stated.
TEST(SitePError, PErrorBitsHoldFinerReadsToTheNoiseOfTheStatedPrecision) {
  using nn::quant::QuantizationMode;
  CompileOptions options;
  options.p_error = 0.072;
  const FheProgram seven = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
  options.p_error_bits = 7;
  const FheProgram ten = compile_program(testing::small_network(QuantizationMode::Improved, 10), options);
  ASSERT_EQ(ten.pbs_sites.size(), seven.pbs_sites.size());
  for (const PbsSite& s : ten.pbs_sites) {
    const std::string& name = ten.circuit.node(s.node).name;
    EXPECT_EQ(s.precision_bits, 10) << name;
    EXPECT_NEAR(s.target_p_error, nn::quant::p_error_at_bits(0.072, 7, 10), 1e-12) << name;
    EXPECT_LE(s.p_error, s.target_p_error) << name;
    // What the site's noise does to a 7-bit read: within the stated target.
    EXPECT_LE(nn::quant::p_error_at_bits(s.p_error, 10, 7), 0.072 * (1 + 1e-9)) << name;
  }
  const CircuitStatistics a = make_statistics(seven), b = make_statistics(ten);
  EXPECT_NEAR(b.cost_units, a.cost_units, 0.01 * a.cost_units);
  EXPECT_EQ(b.p_error_bits, 7);
  EXPECT_NE(statistics_summary(b).find("as a 7-bit read would"), std::string::npos) << statistics_summary(b);
  EXPECT_NE(statistics_json(b).find("\"p_error_bits\": 7"), std::string::npos);
  options.p_error_bits = -1;
  EXPECT_THROW(compile_program(testing::small_network(QuantizationMode::Improved, 10), options), InvalidArgument);
}

}  // namespace
}  // namespace veil::compiler
