#include "veil/compiler/precision_search.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <utility>

#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/quantize_graph.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationConfig;

// A setting of the search: its bits and targets, its compiled program and what it measured.
struct Setting {
  std::map<std::string, int> bits;
  std::map<std::string, double> targets;
  FheProgram program;
  double cost = 0;
  CalibrationAgreement clear, simulated;
};

class Search {
 public:
  Search(const nn::Graph& graph, const Tensor& calibration, const Tensor& fp32_logits, const QuantizationConfig& config,
         const CompileOptions& options, const PrecisionSearchOptions& search)
      : graph_(graph),
        calibration_(calibration),
        fp32_(fp32_logits),
        config_(config),
        options_(options),
        search_(search),
        threads_(search.threads ? search.threads : std::max(1u, std::thread::hardware_concurrency())),
        pool_(threads_) {}

  PrecisionSearchResult run() {
    const auto start = std::chrono::steady_clock::now();
    Setting first = compiled(config_.rounding_bits_by_node, options_.p_error_by_node);
    first.clear = agree(first.program, 0);
    first.simulated = agree(first.program, search_.draws);
    Setting current = first;
    std::set<std::tuple<std::string, int, double>> rejected;
    for (bool kept = true; kept;) {
      kept = false;
      for (const auto& [estimate, site, bits, p_error] : candidates(current, rejected)) {
        PrecisionTrial trial{site, bits, p_error, estimate, 0, {}, {}, false};
        std::map<std::string, int> trial_bits = current.bits;
        std::map<std::string, double> trial_targets = current.targets;
        if (p_error > 0) {
          trial_targets[site] = p_error;
        } else {
          trial_bits[site] = bits;
        }
        std::optional<Setting> s;
        try {
          s = compiled(trial_bits, trial_targets);
        } catch (const InvalidArgument&) {
          // No set holds the narrower site at the target: the lowering is not possible.
        }
        // Cheapest checks first: the cost, the clear run (unchanged by a target), then the simulation.
        if (s) {
          trial.cost_units = s->cost;
          if (s->cost < current.cost) {
            trial.clear = s->clear = p_error > 0 ? current.clear : agree(s->program, 0);
            if (holds(s->clear, first.clear)) {
              trial.simulated = s->simulated = agree(s->program, search_.draws);
              trial.accepted = holds(s->simulated, first.simulated);
            }
          }
        }
        result_.trials.push_back(trial);
        if (!trial.accepted) {
          rejected.emplace(site, bits, p_error);
          continue;
        }
        current = std::move(*s);  // the pass goes on with estimates of the previous circuit:
        kept = true;              // each trial's cost is measured anyway
      }
    }
    result_.rounding_bits_by_node = current.bits;
    result_.p_error_by_node = current.targets;
    result_.cost_before = first.cost;
    result_.cost_after = current.cost;
    result_.clear_before = first.clear;
    result_.clear_after = current.clear;
    result_.simulated_before = first.simulated;
    result_.simulated_after = current.simulated;
    for (const PbsSite& s : first.program.pbs_sites) {
      const PbsSite* now = current.program.site_of(s.node);
      const std::string& name = first.program.circuit.node(s.node).name;
      if (now && now->precision_bits < s.precision_bits)
        result_.lowered.push_back({name, s.precision_bits, now->precision_bits, s.count});
      const double before = stated_target(first.targets, name), after = stated_target(current.targets, name);
      if (now && after != before) result_.relaxed.push_back({name, before, after, s.count});
    }
    result_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::move(result_);
  }

 private:
  bool holds(const CalibrationAgreement& a, const CalibrationAgreement& start) const {
    return a.agreeing >= start.agreeing && a.mean_relative_l2 <= start.mean_relative_l2 * (1.0 + search_.l2_tolerance);
  }

  Setting compiled(const std::map<std::string, int>& bits, const std::map<std::string, double>& targets) {
    QuantizationConfig config = config_;
    config.rounding_bits_by_node = bits;
    CompileOptions options = options_;
    options.p_error_by_node = targets;
    Setting s;
    s.bits = bits;
    s.targets = targets;
    s.program = compile_program(nn::quant::make_quantized_circuit(graph_, calibration_, config, pool_), options);
    s.cost = make_statistics(s.program).cost_units;
    return s;
  }

  // Agreement of the program's outputs on the calibration images with fp32: the clear run
  // (draws 0) or `draws` simulations of each image at the program's error probabilities.
  CalibrationAgreement agree(const FheProgram& program, int draws) {
    nn::quant::IntegerExecutor executor(program.circuit, threads_);
    nn::quant::SimulationSettings settings;
    settings.seed = search_.seed;
    settings.rounding_method = config_.rounding_method;
    simulate_as_compiled(program, settings);
    const auto images = static_cast<std::size_t>(calibration_.shape[0]);
    const std::size_t classes = fp32_.data.size() / images;
    CalibrationAgreement a;
    nn::LogitAgreement logits;
    Tensor out;
    for (int d = 0; d < std::max(draws, 1); ++d) {
      if (draws == 0) {
        executor.run(calibration_, out);
      } else {
        executor.simulate(calibration_, settings, static_cast<std::uint64_t>(d) * images, out);
      }
      if (out.data.size() != fp32_.data.size())
        throw InvalidArgument("precision search: the circuit gives " + std::to_string(out.data.size()) +
                              " outputs for the calibration images, the fp32 logits are " + to_string(fp32_.shape));
      for (std::size_t n = 0; n < images; ++n) {
        const std::span<const float> q(out.data.data() + n * classes, classes),
            r(fp32_.data.data() + n * classes, classes);
        a.agreeing += nn::make_top_k(q, 1)[0] == nn::make_top_k(r, 1)[0];
        logits.add(q, r);
      }
    }
    a.runs = logits.images();
    a.mean_cosine = logits.mean_cosine();
    a.mean_relative_l2 = logits.mean_relative_l2();
    return a;
  }

  // The cost of `circuit` compiled with `targets`; nullopt when it does not compile.
  std::optional<double> estimated_cost(nn::quant::QuantizedCircuit circuit,
                                       const std::map<std::string, double>& targets) {
    CompileOptions options = options_;
    options.p_error_by_node = targets;
    ++result_.estimates;
    try {
      return make_statistics(compile_program(std::move(circuit), options)).cost_units;
    } catch (const InvalidArgument&) {
      return std::nullopt;
    }
  }

  // A site's target as the compile options state it (for p_error_bits reads when set), not the
  // site's own-precision rate: a site read one bit coarser keeps it.
  double stated_target(const std::map<std::string, double>& targets, const std::string& name) const {
    const auto it = targets.find(name);
    return it == targets.end() ? options_.p_error : it->second;
  }

  // (estimated cost, site, bits, 0) of each site of `current` one bit narrower that is wider than
  // the floor, and (estimated cost, site, its bits, target) of each site held to a looser target,
  // not rejected and estimated to save, cheapest first (circuit order on ties).
  using Candidate = std::tuple<double, std::string, int, double>;
  std::vector<Candidate> candidates(const Setting& current,
                                    const std::set<std::tuple<std::string, int, double>>& rejected) {
    std::vector<Candidate> out;
    for (const PbsSite& s : current.program.pbs_sites) {
      const std::string& name = current.program.circuit.node(s.node).name;
      for (const double p_error : search_.relaxed_p_errors) {
        if (p_error <= stated_target(current.targets, name) || rejected.count({name, s.precision_bits, p_error}))
          continue;
        std::map<std::string, double> targets = current.targets;
        targets[name] = p_error;
        const std::optional<double> cost = estimated_cost(current.program.circuit, targets);
        if (cost && *cost < current.cost) out.emplace_back(*cost, name, s.precision_bits, p_error);
      }
      const int bits = s.precision_bits - 1;
      if (bits < search_.floor_bits || rejected.count({name, bits, 0.0})) continue;
      nn::quant::QuantizedCircuit narrowed = current.program.circuit;
      nn::quant::QNode& node = narrowed.nodes[static_cast<std::size_t>(s.node)];
      nn::quant::LookupAttrs* pbs = nn::quant::pbs_lookup(node);
      pbs->bits -= 1;  // the same accumulator read one bit coarser (the compiler ignores the offset)
      pbs->shift += 1;
      const std::optional<double> cost = estimated_cost(std::move(narrowed), current.targets);
      if (cost && *cost < current.cost) out.emplace_back(*cost, name, bits, 0.0);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    return out;
  }

  const nn::Graph& graph_;
  const Tensor& calibration_;
  const Tensor& fp32_;
  const QuantizationConfig& config_;
  const CompileOptions& options_;
  const PrecisionSearchOptions& search_;
  std::size_t threads_;
  ThreadPool pool_;
  PrecisionSearchResult result_;
};

void validate(const Tensor& calibration, const Tensor& fp32_logits, const PrecisionSearchOptions& search) {
  if (search.floor_bits < 1 || search.floor_bits > 24)
    throw InvalidArgument("precision search: floor_bits = " + std::to_string(search.floor_bits) + ", expected 1..24");
  if (search.draws < 1 || search.draws > 1000)
    throw InvalidArgument("precision search: draws = " + std::to_string(search.draws) + ", expected 1..1000");
  for (const double p : search.relaxed_p_errors)
    if (!(p > 0 && p < 1))
      throw InvalidArgument("precision search: relaxed p_error " + std::to_string(p) + ", expected 0 < p < 1");
  if (!(search.l2_tolerance >= -1.0 && search.l2_tolerance <= 100.0))
    throw InvalidArgument("precision search: l2_tolerance = " + std::to_string(search.l2_tolerance) +
                          ", expected in [-1, 100]");
  if (calibration.shape.empty() || calibration.shape[0] < 1 || fp32_logits.shape.size() != 2 ||
      fp32_logits.shape[0] != calibration.shape[0] || fp32_logits.shape[1] < 1)
    throw InvalidArgument("precision search: fp32 logits of shape " + to_string(fp32_logits.shape) +
                          " for calibration images of shape " + to_string(calibration.shape) +
                          ", expected [N, classes] with the images' N");
}

}  // namespace

PrecisionSearchResult search_site_precision(const nn::Graph& folded_graph, const Tensor& calibration,
                                            const Tensor& fp32_logits, const nn::quant::QuantizationConfig& config,
                                            const CompileOptions& options, const PrecisionSearchOptions& search) {
  validate(calibration, fp32_logits, search);
  return Search(folded_graph, calibration, fp32_logits, config, options, search).run();
}

}  // namespace veil::compiler
