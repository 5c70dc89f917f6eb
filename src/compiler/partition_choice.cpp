// Multi-parameter circuits: each PBS site on its own set (a partition: a vetted set or the
// parameter optimizer's for its requirement at the group's k and N). Candidates come in groups
// whose keys can be one secret: sets sharing (k, N, GLWE noise), and (nested keys,
// docs/parameters.md) a narrower group together with the uniform shape's optimizer sets whose σ
// covers the coefficients they do not share. Greedy, per group: start from the group's cheapest
// set that every site meets uniformly, then, sites in decreasing PBS count, move a site to the
// cheapest cheaper set on which every site (its readers' noise changes with its V_BR), the output
// decoding and the key nesting (no site reads a value under a wider key than its own) still
// hold; repeat to a fixpoint. Then merge partitions where that costs nothing, and over the key
// budget the pair whose merge costs least until the keys fit. The group with the smallest sum of
// PBS x cost wins.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::compiler::detail {
namespace {

using Sets = std::vector<const fhe::ParameterSet*>;  // one per site

// The distinct sets of `sets` (the partitions), in order of first use.
Sets distinct_sets(const Sets& sets) {
  Sets distinct;
  for (const fhe::ParameterSet* s : sets)
    if (std::ranges::find(distinct, s) == distinct.end()) distinct.push_back(s);
  return distinct;
}

// The partitions' evaluation keys, as the server holds them.
std::uint64_t key_bytes(const Sets& sets) {
  std::uint64_t total = 0;
  for (const fhe::ParameterSet* set : distinct_sets(sets)) total += fhe::server_key_bytes(*set);
  return total;
}

class Search {
 public:
  Search(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents, std::vector<PbsSite> sites,
         double output_target)
      : circuit_(circuit),
        exponents_(exponents),
        row_norms_(weight_row_norms(circuit)),
        sites_(std::move(sites)),
        output_target_(output_target) {}

  // The output's p_error when every site meets the target and reads its own key, else nothing.
  std::optional<double> output_if_sites_meet(const Sets& sets) {
    Partitioning p = partitioning(sets);
    std::vector<PbsSite> sites = sites_;
    for (std::size_t i = 0; i < sites.size(); ++i) sites[i].partition = p.site_partition[i];
    if (site_reading_wider_key(circuit_, sites, p.sets)) return std::nullopt;
    const NoiseAnalysis noise = track_noise(circuit_, exponents_, row_norms_, partition_units(circuit_, sites, p.sets));
    for (PbsSite& s : sites) s.input_noise = noise.reads[static_cast<std::size_t>(s.node)];
    evaluate_sites(p.sets, sites);
    if (!sites_meet_targets(sites)) return std::nullopt;
    const ValueEncoding out{exponents_[static_cast<std::size_t>(circuit_.output)],
                            noise.values[static_cast<std::size_t>(circuit_.output)]};
    return output_p_error(p.sets.front(), out);
  }

  double cost(const Sets& sets) const {
    double total = 0;
    for (std::size_t i = 0; i < sites_.size(); ++i) {
      total += static_cast<double>(sites_[i].count) * fhe::parameter_set_cost(*sets[i]);
    }
    return total;
  }

  // Greedy over `candidates` (one group, cheapest first); empty when no uniform set fits. With
  // `output_from_start` (nested families) the output need only decode as well as on the group's
  // uniform start: their raised GLWE σ adds a little to every V_BR (~0.6% at 7 bits), which an
  // output already at the uniform set's bound cannot absorb.
  Sets descend(const Sets& candidates, bool output_from_start = false) {
    double output_bound = output_target_;
    const auto feasible = [&](const Sets& trial) {
      const std::optional<double> output = output_if_sites_meet(trial);
      return output && *output <= output_bound;
    };
    Sets sets;
    for (const fhe::ParameterSet* c : candidates) {
      Sets uniform(sites_.size(), c);
      const std::optional<double> output = output_if_sites_meet(uniform);
      if (output && output_from_start) output_bound = std::max(output_target_, *output);
      if (output && *output <= output_bound) {
        sets = uniform;
        break;
      }
    }
    if (sets.empty()) return sets;
    std::vector<std::size_t> order(sites_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return sites_[a].count > sites_[b].count; });
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i : order) {
        const int current = fhe::parameter_set_cost(*sets[i]);
        for (const fhe::ParameterSet* c : candidates) {
          if (fhe::parameter_set_cost(*c) >= current) break;
          Sets trial = sets;
          trial[i] = c;
          if (feasible(trial)) {
            sets = std::move(trial);
            changed = true;
            break;
          }
        }
      }
    }
    return sets;
  }

  // `sets` with partitions merged (every site of one set moved to another set of `sets`), each
  // time the merge that costs least and keeps the sites, the output (as decoded before) and the
  // key nesting feasible: while one costs nothing (fewer keys for free), and while the keys take
  // more than max_key_bytes (0: no limit) whatever it costs; empty when no merge fits the budget.
  Sets merge_partitions(Sets sets, std::uint64_t max_key_bytes) {
    if (sets.empty()) return sets;
    const double output_bound = std::max(output_target_, output_if_sites_meet(sets).value_or(output_target_));
    for (;;) {
      const bool over_budget = max_key_bytes != 0 && key_bytes(sets) > max_key_bytes;
      const Sets distinct = distinct_sets(sets);
      Sets best;
      // Costs are sums of whole PBS x integer costs: + 0.5 admits the merges that cost nothing.
      double best_cost = over_budget ? std::numeric_limits<double>::infinity() : cost(sets) + 0.5;
      for (const fhe::ParameterSet* from : distinct) {
        for (const fhe::ParameterSet* to : distinct) {
          if (from == to) continue;
          Sets trial = sets;
          std::ranges::replace(trial, from, to);
          const double trial_cost = cost(trial);
          if (trial_cost >= best_cost) continue;
          const std::optional<double> output = output_if_sites_meet(trial);
          if (output && *output <= output_bound) {
            best = std::move(trial);
            best_cost = trial_cost;
          }
        }
      }
      if (best.empty()) return over_budget ? best : sets;
      sets = std::move(best);
    }
  }

  // The partitions of `sets`, numbered by first use in circuit order.
  Partitioning partitioning(const Sets& sets) const {
    Partitioning p;
    const Sets distinct = distinct_sets(sets);
    for (const fhe::ParameterSet* s : distinct) p.sets.push_back(*s);
    for (const fhe::ParameterSet* s : sets)
      p.site_partition.push_back(static_cast<int>(std::ranges::find(distinct, s) - distinct.begin()));
    return p;
  }

 private:
  const nn::quant::QuantizedCircuit& circuit_;
  const std::vector<int>& exponents_;
  std::vector<double> row_norms_;
  std::vector<PbsSite> sites_;
  const double output_target_;
};

using GroupKey = std::tuple<std::size_t, std::size_t, double>;  // k, N, GLWE sigma: one GLWE secret

GroupKey group_of(const fhe::ParameterSet& set) {
  return {set.glwe_dimension.value, set.polynomial_size.value, set.glwe_noise.std_dev};
}

// A GLWE shape (k, N) and the dimension whose curve sets its σ (0: k·N; nested keys: less).
using Shape = std::tuple<std::size_t, std::size_t, int>;

// The parameter optimizer's set for each site's requirement (its precision, its norm2 as read on
// `uniform`, its target) at each shape of `shapes`, registered by name so that keys and specs
// naming it read back; requirements no set of that shape meets are skipped.
Sets optimizer_candidates(std::vector<PbsSite> sites, const fhe::ParameterSet& uniform, const std::set<Shape>& shapes) {
  evaluate_sites(uniform, sites);
  std::set<std::tuple<int, double, double>> requirements;
  for (const PbsSite& s : sites) {
    requirements.insert({s.precision_bits, std::max(1.0, std::ceil(s.norm2)), s.target_p_error});
  }
  Sets out;
  for (const auto& [k, size, noise_dimension] : shapes) {
    for (const auto& [bits, norm2, p_error] : requirements) {
      fhe::PbsRequirement r;
      r.precision_bits = bits;
      r.norm2 = norm2;
      r.p_error = p_error;
      r.glwe_dimension = static_cast<int>(k);
      r.log2_polynomial_size = std::countr_zero(size);
      r.glwe_noise_dimension = noise_dimension;
      r.modulus_switch_kind = kOptimizerModulusSwitch;
      try {
        const std::string name = fhe::optimize_parameter_set(r, fhe::CostModel::concrete_v0).set.name;
        out.push_back(&fhe::parameter_set_by_name(name));  // the registry's copy: stable, found by name
      } catch (const InvalidArgument&) {
      }
    }
  }
  return out;
}

}  // namespace

std::vector<double> partition_units(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                                    const std::vector<fhe::ParameterSet>& partitions) {
  std::vector<double> unit(circuit.nodes.size(), 1.0);
  const double reference = fhe::noise::blind_rotation_variance(partitions.front());
  for (const PbsSite& s : sites) {
    unit[static_cast<std::size_t>(s.node)] =
        fhe::noise::blind_rotation_variance(partitions[static_cast<std::size_t>(s.partition)]) / reference;
  }
  return unit;
}

Partitioning choose_partitions(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents,
                               const std::vector<PbsSite>& sites, const fhe::ParameterSet& uniform,
                               double output_target, const CompileOptions& options) {
  Partitioning best{{uniform}, std::vector<int>(sites.size(), 0)};
  if (sites.empty()) return best;
  Search search(circuit, exponents, sites, output_target);
  double best_cost = search.cost(Sets(sites.size(), &fhe::parameter_set_by_name(uniform.name)));
  // Groups of sets sharing one GLWE secret's shape and noise, each cheapest first: the vetted
  // sets, and (options.optimized_sets) the uniform set and the optimizer's set for each site's
  // requirement at each shape those have.
  Sets all = fhe::all_vetted_parameter_sets();
  const auto holds = [&](const fhe::ParameterSet& set) {
    return std::ranges::all_of(sites, [&](const PbsSite& s) { return holds_table(set, s.precision_bits); });
  };
  if (options.optimized_sets) {
    std::set<Shape> shapes{{uniform.glwe_dimension.value, uniform.polynomial_size.value, 0}};
    for (const fhe::ParameterSet* set : all) {
      if (holds(*set)) shapes.insert({set->glwe_dimension.value, set->polynomial_size.value, 0});
    }
    all.push_back(&fhe::parameter_set_by_name(uniform.name));
    const Sets optimized = optimizer_candidates(sites, uniform, shapes);
    all.insert(all.end(), optimized.begin(), optimized.end());
  }
  // The greedy is not monotone in its candidates: each group is searched on its vetted sets alone
  // too, so that the optimizer's sets never make the result dearer.
  const std::size_t vetted_count = fhe::all_vetted_parameter_sets().size();
  std::map<GroupKey, std::pair<Sets, Sets>> groups;  // (every candidate, vetted only)
  for (std::size_t i = 0; i < all.size(); ++i) {
    auto& [every, vetted] = groups[group_of(*all[i])];
    if (!holds(*all[i]) || std::ranges::find(every, all[i]) != every.end()) continue;
    every.push_back(all[i]);
    if (i < vetted_count) vetted.push_back(all[i]);
  }
  const auto cheapest_first = [](const fhe::ParameterSet* a, const fhe::ParameterSet* b) {
    const int ca = fhe::parameter_set_cost(*a), cb = fhe::parameter_set_cost(*b);
    return ca != cb ? ca < cb : a->name < b->name;
  };
  // Partitions may take as much key memory as the budget allows, or as the uniform set takes.
  const std::uint64_t key_budget =
      options.max_key_bytes == 0 ? 0 : std::max<std::uint64_t>(options.max_key_bytes, fhe::server_key_bytes(uniform));
  const auto try_candidates = [&](Sets candidates, bool nested) {
    std::stable_sort(candidates.begin(), candidates.end(), cheapest_first);
    const Sets sets = search.merge_partitions(search.descend(candidates, nested), key_budget);
    if (sets.empty()) return;
    const double cost = search.cost(sets);
    if (cost < best_cost) {
      best_cost = cost;
      best = search.partitioning(sets);
    }
  };
  for (auto& [shape, candidate_lists] : groups) {
    for (Sets* candidates : {&candidate_lists.first, &candidate_lists.second}) {
      const bool same_as_every =
          candidates == &candidate_lists.second && candidates->size() == candidate_lists.first.size();
      if (candidates->empty() || same_as_every) continue;  // nothing to search, or searched already
      try_candidates(*candidates, false);
    }
  }
  if (options.optimized_sets) {
    // Nested keys (docs/parameters.md): each narrower group together with the uniform shape's
    // optimizer sets, their GLWE σ raised to the curve of the coefficients they do not share.
    const std::size_t wide = uniform.big_lwe_dimension().value;
    for (const auto& [key, candidate_lists] : groups) {
      const std::size_t narrow = std::get<0>(key) * std::get<1>(key);
      if (narrow >= wide || candidate_lists.first.empty()) continue;
      const Shape raised{uniform.glwe_dimension.value, uniform.polynomial_size.value, static_cast<int>(wide - narrow)};
      Sets family = candidate_lists.first;
      for (const fhe::ParameterSet* set : optimizer_candidates(sites, uniform, {raised})) {
        if (holds(*set)) family.push_back(set);
      }
      if (family.size() == candidate_lists.first.size())
        continue;  // no raised set (e.g. too few unshared coefficients)
      try_candidates(std::move(family), true);
    }
  }
  return best;
}

Partitioning pinned_partitions(const nn::quant::QuantizedCircuit& circuit, const std::vector<PbsSite>& sites,
                               const CompileOptions& options) {
  const PinnedPartitions& pinned = *options.pinned_partitions;
  if (pinned.sets.empty()) throw InvalidArgument("pinned partitions: no parameter set");
  if (pinned.site_partition.size() != sites.size()) {
    throw InvalidArgument("pinned partitions: " + std::to_string(pinned.site_partition.size()) +
                          " site partitions, the circuit has " + std::to_string(sites.size()) + " PBS sites");
  }
  Partitioning result;
  for (const std::string& name : pinned.sets) {
    const fhe::ParameterSet& set = fhe::parameter_set_by_name(name);
    fhe::require_secure(set, options.allow);
    result.sets.push_back(set);
  }
  std::vector<const fhe::ParameterSet*> sets;
  for (const fhe::ParameterSet& set : result.sets) sets.push_back(&set);
  fhe::require_nested_glwe_keys(sets, options.allow);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    const int p = pinned.site_partition[i];
    if (p < 0 || static_cast<std::size_t>(p) >= result.sets.size()) {
      throw InvalidArgument("pinned partitions: site '" + circuit.node(sites[i].node).name + "' has partition " +
                            std::to_string(p) + ", expected 0.." + std::to_string(result.sets.size() - 1));
    }
    if (!holds_table(result.sets[static_cast<std::size_t>(p)], sites[i].precision_bits)) {
      throw InvalidArgument("pinned partitions: set '" + result.sets[static_cast<std::size_t>(p)].name +
                            "' cannot hold the table of site '" + circuit.node(sites[i].node).name + "'");
    }
  }
  result.site_partition = pinned.site_partition;
  std::vector<PbsSite> assigned = sites;
  for (std::size_t i = 0; i < sites.size(); ++i) assigned[i].partition = result.site_partition[i];
  if (const PbsSite* s = site_reading_wider_key(circuit, assigned, result.sets)) {
    throw InvalidArgument(
        "pinned partitions: site '" + circuit.node(s->node).name + "' on set '" +
        result.sets[static_cast<std::size_t>(s->partition)].name +
        "' reads a value under a wider GLWE key than its own (k*N = " +
        std::to_string(result.sets[static_cast<std::size_t>(s->partition)].big_lwe_dimension().value) +
        "); a narrower partition may only read values of its own or narrower partitions");
  }
  return result;
}

}  // namespace veil::compiler::detail
