#include "veil/app/stages/precision_step.hpp"

#include <cstdio>

#include "veil/app/flags/flag_table.hpp"
#include "veil/app/stages/resnet18_fhe_flow.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::app {
namespace {

/// The per-site target the search tries before kMaxPError (see search_precision).
constexpr double kSiteRelaxedPError = 0.08;

std::string agreement_text(const compiler::CalibrationAgreement& a) {
  char buf[120];
  std::snprintf(buf, sizeof buf, "top-1 agreement %zu/%zu, logit cosine %.4f / rel. L2 %.4f", a.agreeing, a.runs,
                a.mean_cosine, a.mean_relative_l2);
  return buf;
}

}  // namespace

bool searches_precision(const app::Resnet18CliOptions& options) {
  return options.per_site_precision && options.reads.improved.rounding_bits &&
         runs_mode(options, nn::quant::QuantizationMode::Improved);
}

compiler::PrecisionSearchResult search_precision(const app::Resnet18CliOptions& options, const nn::Graph& folded_graph,
                                                 const Tensor& calibration, nn::Fp32Executor& fp32,
                                                 const app::QuantizedStagesSettings& settings, std::ostream* progress) {
  if (progress)
    *progress << "Searching per-site precision (improved mode, " << calibration.shape.front()
              << " calibration images)...\n";
  Tensor fp32_logits;
  fp32.run(calibration, fp32_logits);
  compiler::CompileOptions compile = with_reads(options.compile, options.reads.improved);
  compile.multi_parameter = true;
  compiler::PrecisionSearchOptions search;
  search.seed = options.simulation_seed;
  search.threads = options.threads;
  // With the centred modulus switch, 7-bit lookups fit k·N = 2048 from p_error 0.064 and cost about
  // half the N = 4096 sets at 0.08 (docs/parameters.md); the loosest target the CLI accepts is
  // cheaper still. The search tries the bigger saving first, then the smaller harm.
  search.relaxed_p_errors = {kSiteRelaxedPError, kMaxPError};
  return compiler::search_site_precision(folded_graph, calibration, fp32_logits,
                                         app::make_config(settings, nn::quant::QuantizationMode::Improved), compile,
                                         search);
}

void write_precision_search(const compiler::PrecisionSearchResult& r, std::ostream& out) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "\nPer-site precision (search on the calibration images, multi-parameter cost, %zu lowerings "
                "and looser targets tried, %.1f s):\n",
                r.trials.size(), r.seconds);
  out << buf;
  for (const compiler::PrecisionTrial& t : r.trials) {
    std::string verdict = t.accepted ? "kept" : "rejected: ";
    if (!t.accepted)
      verdict += t.cost_units == 0       ? "no set holds it"
                 : t.clear.runs == 0     ? "no cheaper"
                 : t.simulated.runs == 0 ? "clear guard"
                                         : "simulated guard";
    if (t.p_error > 0) {
      std::snprintf(buf, sizeof buf, "  tried %-24s at p_error %.3g: cost %.4g (estimate %.4g)", t.site.c_str(),
                    t.p_error, t.cost_units, t.estimated_cost_units);
    } else {
      std::snprintf(buf, sizeof buf, "  tried %-24s at %d bits: cost %.4g (estimate %.4g)", t.site.c_str(), t.bits,
                    t.cost_units, t.estimated_cost_units);
    }
    out << buf;
    if (t.clear.runs) {
      std::snprintf(buf, sizeof buf, ", clear %zu/%zu L2 %.4f", t.clear.agreeing, t.clear.runs,
                    t.clear.mean_relative_l2);
      out << buf;
    }
    if (t.simulated.runs) {
      std::snprintf(buf, sizeof buf, ", simulated %zu/%zu L2 %.4f", t.simulated.agreeing, t.simulated.runs,
                    t.simulated.mean_relative_l2);
      out << buf;
    }
    out << "; " << verdict << "\n";
  }
  if (r.lowered.empty() && r.relaxed.empty())
    out << "  no site lowered or relaxed: every trial lost agreement or saved nothing\n";
  for (const compiler::LoweredSite& s : r.lowered) {
    std::snprintf(buf, sizeof buf, "  %-24s %d -> %d bits  %12s PBS per image\n", s.site.c_str(), s.bits_before,
                  s.bits_after, format_count(s.pbs).c_str());
    out << buf;
  }
  for (const compiler::RelaxedSite& s : r.relaxed) {
    std::snprintf(buf, sizeof buf, "  %-24s p_error %.3g -> %.3g  %12s PBS per image\n", s.site.c_str(),
                  s.p_error_before, s.p_error_after, format_count(s.pbs).c_str());
    out << buf;
  }
  std::snprintf(buf, sizeof buf, "  cost %.4g -> %.4g units per image (%.1f%% less)\n", r.cost_before, r.cost_after,
                r.cost_before > 0 ? 100.0 * (1.0 - r.cost_after / r.cost_before) : 0.0);
  out << buf;
  out << "  calibration, clear: uniform " << agreement_text(r.clear_before) << "; per-site "
      << agreement_text(r.clear_after) << "\n";
  out << "  calibration, simulated: uniform " << agreement_text(r.simulated_before) << "; per-site "
      << agreement_text(r.simulated_after) << "\n";
}

}  // namespace veil::app
