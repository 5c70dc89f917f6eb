// Multi-parameter circuits: the greedy assignment keeps every site within the target on its
// own set, costs no more than the uniform set, shares one GLWE shape, and propagates each
// partition's V_BR to its readers (checked by hand on the residual circuit, where relu2 reads
// relu1 alone); the exhaustive optimum over the group bounds the greedy from below.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"
#include "compiler/small_network.hpp"
#include "compiler/tiny_circuits.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationMode;

double cost_of(const FheProgram& p) {
  double total = 0;
  for (const PbsSite& s : p.pbs_sites) {
    total +=
        static_cast<double>(s.count) * fhe::parameter_set_cost(p.partitions[static_cast<std::size_t>(s.partition)]);
  }
  return total;
}

const PbsSite& site_named(const FheProgram& p, const std::string& name) {
  for (const PbsSite& s : p.pbs_sites) {
    if (p.circuit.node(s.node).name == name) return s;
  }
  throw std::runtime_error("no site " + name);
}

// Each site's p_error recomputed from the definitions on its own set.
void expect_sites_meet(const FheProgram& p, double target) {
  const fhe::ParameterSet& ref = p.partitions.front();
  for (const PbsSite& s : p.pbs_sites) {
    const fhe::ParameterSet& own = p.partitions[static_cast<std::size_t>(s.partition)];
    const double variance = s.input_noise.bootstrap * fhe::noise::blind_rotation_variance(ref) +
                            s.input_noise.fresh * fhe::noise::fresh_encryption_variance(ref.glwe_noise);
    const double p_error =
        fhe::noise::pbs_p_error(own, s.precision_bits, std::sqrt(variance / fhe::noise::blind_rotation_variance(own)));
    EXPECT_NEAR(s.p_error, p_error, 1e-9 * p_error) << p.circuit.node(s.node).name;
    EXPECT_LE(s.p_error, target) << p.circuit.node(s.node).name;
  }
}

TEST(PartitionChoice, ResidualCircuitSplitsAndTracksEachPartitionsNoise) {
  const double target = 0.05;  // 2^-40 keeps the tiny circuit on one set
  CompileOptions options = testing::uniform();
  options.p_error = target;
  options.optimized_sets = false;  // the vetted group: the hand check below knows its assignment
  const FheProgram uniform = compile_program(testing::residual_circuit(), options);
  options.multi_parameter = true;
  const FheProgram multi = compile_program(testing::residual_circuit(), options);
  ASSERT_EQ(uniform.partitions.size(), 1u);
  ASSERT_GE(multi.partitions.size(), 2u);
  for (const fhe::ParameterSet& set : multi.partitions) {
    EXPECT_FALSE(set.insecure_for_tests);
    EXPECT_EQ(set.glwe_dimension.value, multi.params.glwe_dimension.value);
    EXPECT_EQ(set.polynomial_size.value, multi.params.polynomial_size.value);
    EXPECT_EQ(set.glwe_noise.std_dev, multi.params.glwe_noise.std_dev);
  }
  expect_sites_meet(multi, target);
  EXPECT_LT(cost_of(multi), cost_of(uniform));
  EXPECT_EQ(make_statistics(multi).cost_units, cost_of(multi));
  // relu1 reads fresh noise only; relu2 reads relu1's outputs alone, relu3 relu1's and relu2's,
  // which share a set here: their bootstrap multiples are the uniform ones (counts of PBS
  // outputs) scaled by V_BR(relu1's set) / V_BR(partition 0's set).
  ASSERT_EQ(site_named(multi, "relu2").partition, site_named(multi, "relu1").partition);
  const PbsSite& relu1 = site_named(multi, "relu1");
  EXPECT_EQ(relu1.input_noise.bootstrap, 0);
  EXPECT_EQ(relu1.input_noise.fresh, site_named(uniform, "relu1").input_noise.fresh);
  const double unit = fhe::noise::blind_rotation_variance(multi.partitions[static_cast<std::size_t>(relu1.partition)]) /
                      fhe::noise::blind_rotation_variance(multi.params);
  EXPECT_DOUBLE_EQ(site_named(multi, "relu2").input_noise.bootstrap,
                   site_named(uniform, "relu2").input_noise.bootstrap * unit);
  EXPECT_DOUBLE_EQ(site_named(multi, "relu3").input_noise.bootstrap,
                   site_named(uniform, "relu3").input_noise.bootstrap * unit);
  EXPECT_NE(site_named(multi, "relu3").partition, site_named(multi, "relu1").partition);
  for (const PbsSite& s : multi.pbs_sites) {
    std::printf("%-6s %d bits on %s (cost %d), p_error %.3g\n", multi.circuit.node(s.node).name.c_str(),
                s.precision_bits, multi.partitions[static_cast<std::size_t>(s.partition)].name.c_str(),
                fhe::parameter_set_cost(multi.partitions[static_cast<std::size_t>(s.partition)]), s.p_error);
  }
  std::printf("cost: uniform %s %.0f, multi %.0f\n", uniform.params.name.c_str(), cost_of(uniform), cost_of(multi));
}

// Exhaustive search over every assignment of the vetted group's sets to the three sites (without
// the output constraint, so never above the greedy): on the residual circuit the greedy finds it.
TEST(PartitionChoice, GreedyMatchesTheExhaustiveOptimum) {
  for (const double target : {0.05, std::ldexp(1.0, -40)}) {
    CompileOptions options = testing::uniform();
    options.p_error = target;
    options.multi_parameter = true;
    options.optimized_sets = false;
    const FheProgram multi = compile_program(testing::residual_circuit(), options);
    const nn::quant::QuantizedCircuit& circuit = multi.circuit;
    std::vector<int> exponents;
    for (const ValueEncoding& e : multi.encodings) exponents.push_back(e.exponent);
    const std::vector<double> norms = detail::weight_row_norms(circuit);
    std::vector<const fhe::ParameterSet*> group;
    for (const fhe::ParameterSet* set : fhe::all_vetted_parameter_sets()) {
      if (set->glwe_dimension.value == multi.params.glwe_dimension.value &&
          set->polynomial_size.value == multi.params.polynomial_size.value &&
          set->glwe_noise.std_dev == multi.params.glwe_noise.std_dev) {
        group.push_back(set);
      }
    }
    ASSERT_EQ(multi.pbs_sites.size(), 3u);
    double optimum = std::numeric_limits<double>::infinity();
    const std::size_t g = group.size();
    for (std::size_t code = 0; code < g * g * g; ++code) {
      std::vector<PbsSite> sites = multi.pbs_sites;
      std::vector<fhe::ParameterSet> sets;
      double cost = 0;
      for (std::size_t i = 0, c = code; i < 3; ++i, c /= g) {
        const fhe::ParameterSet* set = group[c % g];
        if (!detail::holds_table(*set, sites[i].precision_bits)) cost = std::numeric_limits<double>::infinity();
        sets.push_back(*set);
        sites[i].partition = static_cast<int>(i);
        cost += static_cast<double>(sites[i].count) * fhe::parameter_set_cost(*set);
      }
      if (!(cost < optimum)) continue;
      const detail::NoiseAnalysis noise =
          detail::track_noise(circuit, exponents, norms, detail::partition_units(circuit, sites, sets));
      for (PbsSite& s : sites) s.input_noise = noise.reads[static_cast<std::size_t>(s.node)];
      detail::evaluate_sites(sets, sites);
      bool ok = true;
      for (const PbsSite& s : sites) ok = ok && s.p_error <= target;
      if (ok) optimum = cost;
    }
    EXPECT_EQ(optimum, cost_of(multi));
    std::printf("target %g, %zu sets in the group: exhaustive optimum %.0f, greedy %.0f\n", target, g, optimum,
                cost_of(multi));
  }
}

// With the optimizer's sets (the default), partitions may take its set for a site's requirement
// at the group's k and N: never dearer than the uniform set, cheaper than the vetted-only
// assignment at p_error 0.05 (at 2^-40 the optimizer's uniform set decodes the output better, which
// the partitions must then match, so vetted-only may be cheaper), every site within the target,
// nested GLWE keys, and every set read back from its name alone (keys and specs name them).
TEST(PartitionChoice, OptimizerSetsJoinThePartitions) {
  bool restricted_set_used = false;
  for (const double target : {0.05, std::ldexp(1.0, -40)}) {
    CompileOptions options = testing::uniform();
    options.p_error = target;
    options.multi_parameter = true;
    options.optimized_sets = false;
    options.max_key_bytes = 0;  // the search alone: at 2^-40 its partitions (N 16384) take 6.7 GB
    const FheProgram vetted = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
    options.optimized_sets = true;
    const FheProgram multi = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
    options.multi_parameter = false;
    const FheProgram uniform = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
    expect_sites_meet(multi, target);
    EXPECT_LE(cost_of(multi), cost_of(uniform));
    if (target == 0.05) EXPECT_LT(cost_of(multi), cost_of(vetted));
    std::vector<const fhe::ParameterSet*> sets;
    for (const fhe::ParameterSet& set : multi.partitions) sets.push_back(&set);
    EXPECT_NO_THROW(fhe::require_nested_glwe_keys(sets));
    for (const fhe::ParameterSet& set : multi.partitions) {
      const fhe::ParameterSet& named = fhe::parameter_set_by_name(set.name);
      EXPECT_EQ(named.lwe_dimension.value, set.lwe_dimension.value);
      EXPECT_EQ(named.pbs_level.value, set.pbs_level.value);
      EXPECT_EQ(named.ks_level.value, set.ks_level.value);
      EXPECT_NO_THROW(fhe::require_secure(named));
      restricted_set_used = restricted_set_used || set.name.find("_k1N") != std::string::npos;
    }
    std::printf("target %g: vetted-only %.0f on %zu partitions, with the optimizer's sets %.0f on %zu\n", target,
                cost_of(vetted), vetted.partitions.size(), cost_of(multi), multi.partitions.size());
  }
  EXPECT_TRUE(restricted_set_used);
}

// Nested GLWE keys (docs/parameters.md): a site on the N 2048 set may read the input and feed
// N 4096 sites; a 4096 set at the curve's floor cannot extend the 2048 key; a narrow site that
// reads a value under the wide key is refused by name.
TEST(PartitionChoice, PinnedNestedPartitionsKeepNarrowSitesOnNarrowValues) {
  const nn::quant::QuantizedCircuit circuit = testing::small_network(QuantizationMode::Improved, 6);
  CompileOptions options = testing::uniform();
  options.p_error = 0.2;
  const std::size_t sites = compile_program(circuit, options).pbs_sites.size();
  ASSERT_GE(sites, 2u);
  PinnedPartitions pinned{
      {"opt128_p6_nrm300_pe0.05_k1N2048_concrete_v0", "opt128_p7_nrm300_pe0.05_k1N4096_gn2048_concrete_v0"},
      std::vector<int>(sites, 1)};
  pinned.site_partition[0] = 0;  // the site that reads the input
  options.pinned_partitions = pinned;
  const FheProgram nested = compile_program(circuit, options);
  EXPECT_EQ(nested.params.polynomial_size.value, 2048u);  // partition 0: the input's key
  EXPECT_EQ(nested.big_dimension().value, 4096u);
  for (const PbsSite& s : nested.pbs_sites) {
    EXPECT_LE(s.p_error, options.p_error) << nested.circuit.node(s.node).name;
  }

  PinnedPartitions floor = pinned;
  floor.sets[1] = "opt128_p7_nrm300_pe0.05_k1N4096_concrete_v0";
  options.pinned_partitions = floor;
  EXPECT_THROW(compile_program(circuit, options), SecurityError);

  PinnedPartitions wrong = pinned;
  wrong.site_partition.back() = 0;
  options.pinned_partitions = wrong;
  try {
    compile_program(circuit, options);
    FAIL() << "a narrow site reading a wide value was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("wider GLWE key"), std::string::npos) << e.what();
  }
}

// The search's nested families: with the max-pool (the first site: it reads the stem conv of the
// input) lowered to 6 bits, the default compile puts it on an N 2048 set under the prefix of the
// N 4096 key its 7-bit readers use, cheaper than any single-key assignment.
TEST(PartitionChoice, SixBitFirstSiteMovesToTheNarrowKey) {
  nn::quant::QuantizedCircuit circuit = testing::small_network(QuantizationMode::Improved, 7);
  bool lowered = false;
  for (nn::quant::QNode& n : circuit.nodes) {
    if (auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs); m && !lowered) {
      m->pair.bits -= 1;
      m->pair.shift += 1;
      lowered = true;
    }
  }
  ASSERT_TRUE(lowered);
  CompileOptions options = testing::uniform();
  options.multi_parameter = true;
  const FheProgram nested = compile_program(circuit, options);
  const PbsSite& maxpool = site_named(nested, "maxpool");
  EXPECT_EQ(nested.partitions[static_cast<std::size_t>(maxpool.partition)].big_lwe_dimension().value, 2048u);
  EXPECT_EQ(nested.big_dimension().value, 4096u);
  std::vector<const fhe::ParameterSet*> sets;
  for (const fhe::ParameterSet& set : nested.partitions) sets.push_back(&set);
  EXPECT_NO_THROW(fhe::require_nested_glwe_keys(sets));
  EXPECT_EQ(detail::site_reading_wider_key(nested.circuit, nested.pbs_sites, nested.partitions), nullptr);
  expect_sites_meet(nested, options.p_error);
  options.optimized_sets = false;  // vetted sets only: one GLWE key per group, no nested family
  EXPECT_LT(cost_of(nested), cost_of(compile_program(circuit, options)));
}

TEST(PartitionChoice, ForcedSetAndUniformModeKeepOnePartition) {
  CompileOptions options = testing::uniform();
  options.multi_parameter = true;
  options.parameter_set =
      compile_program(testing::small_network(QuantizationMode::Improved, 7), testing::uniform()).params.name;
  EXPECT_EQ(compile_program(testing::small_network(QuantizationMode::Improved, 7), options).partitions.size(), 1u);
  EXPECT_EQ(
      compile_program(testing::small_network(QuantizationMode::Improved, 7), testing::uniform()).partitions.size(), 1u);
  EXPECT_TRUE(CompileOptions{}.multi_parameter);  // the default
  EXPECT_GT(compile_program(testing::small_network(QuantizationMode::Improved, 7)).partitions.size(), 1u);
}

TEST(PartitionChoice, SmallNetworkMeetsTargetsOnEveryPartition) {
  for (double target : {0.05, std::ldexp(1.0, -40)}) {
    CompileOptions options = testing::uniform();
    options.p_error = target;
    const FheProgram uniform = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
    options.multi_parameter = true;
    const FheProgram multi = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
    expect_sites_meet(multi, target);
    EXPECT_LE(cost_of(multi), cost_of(uniform));
    std::printf("target %g: %zu partitions, cost %.0f (uniform %.0f)\n", target, multi.partitions.size(),
                cost_of(multi), cost_of(uniform));
  }
}

std::uint64_t key_bytes_of(const FheProgram& p) {
  const CircuitStatistics s = make_statistics(p);
  return s.bootstrap_key_bytes + s.keyswitch_key_bytes;
}

// A key budget below the unlimited search's keys merges partitions until they fit: fewer sets,
// every site still within the target, dearer but never above the uniform set; a budget no
// partitioning meets leaves the uniform set.
TEST(PartitionChoice, KeyBudgetMergesPartitionsUntilTheKeysFit) {
  const double target = 0.05;
  CompileOptions options = testing::uniform();
  options.p_error = target;
  const FheProgram uniform = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
  options.multi_parameter = true;
  options.max_key_bytes = 0;
  const FheProgram unlimited = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
  ASSERT_GE(unlimited.partitions.size(), 3u);
  const std::uint64_t unlimited_bytes = key_bytes_of(unlimited);
  options.max_key_bytes = unlimited_bytes;  // at the limit: unchanged
  EXPECT_EQ(cost_of(compile_program(testing::small_network(QuantizationMode::Improved, 7), options)),
            cost_of(unlimited));
  options.max_key_bytes = unlimited_bytes - 1;
  const FheProgram budgeted = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
  EXPECT_LE(key_bytes_of(budgeted), options.max_key_bytes);
  EXPECT_LT(budgeted.partitions.size(), unlimited.partitions.size());
  expect_sites_meet(budgeted, target);
  EXPECT_GE(cost_of(budgeted), cost_of(unlimited));
  EXPECT_LE(cost_of(budgeted), cost_of(uniform));
  std::printf("keys %llu bytes on %zu partitions, cost %.0f; budget %llu: %llu bytes on %zu, cost %.0f\n",
              static_cast<unsigned long long>(unlimited_bytes), unlimited.partitions.size(), cost_of(unlimited),
              static_cast<unsigned long long>(options.max_key_bytes),
              static_cast<unsigned long long>(key_bytes_of(budgeted)), budgeted.partitions.size(), cost_of(budgeted));
  options.max_key_bytes = 1000;  // no partitioning fits: the uniform set, whatever its keys
  const FheProgram fallback = compile_program(testing::small_network(QuantizationMode::Improved, 7), options);
  ASSERT_EQ(fallback.partitions.size(), 1u);
  EXPECT_EQ(fallback.params.name, uniform.params.name);
}

// Free merges: on this circuit the greedy leaves branches a and b on two vetted sets of one cost
// (v0_128_p5_L0 and L1, 236; without the free merges they stay apart), and the merge puts both
// on one of them: one partition fewer, the same cost, every site within the target.
TEST(PartitionChoice, PartitionsOfEqualCostMergeForFree) {
  const double target = 0.05;
  CompileOptions options;
  options.p_error = target;
  options.multi_parameter = true;
  const FheProgram merged = compile_program(testing::branches_circuit({100, 110, 4000}, {4, 4, 12}), options);
  const PbsSite& a = site_named(merged, "a");
  const PbsSite& b = site_named(merged, "b");
  EXPECT_EQ(a.partition, b.partition);
  EXPECT_NE(site_named(merged, "c").partition, a.partition);
  expect_sites_meet(merged, target);
  // No other partition has the shared set's cost: nothing is left to merge for free.
  const fhe::ParameterSet& shared = merged.partitions[static_cast<std::size_t>(a.partition)];
  for (const fhe::ParameterSet& set : merged.partitions) {
    if (&set != &shared) EXPECT_NE(fhe::parameter_set_cost(set), fhe::parameter_set_cost(shared)) << set.name;
  }
  std::printf("a and b on %s (cost %d), %zu partitions, cost %.0f\n", shared.name.c_str(),
              fhe::parameter_set_cost(shared), merged.partitions.size(), cost_of(merged));
}

}  // namespace
}  // namespace veil::compiler
