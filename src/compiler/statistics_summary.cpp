// The readable summary of a compiled program's statistics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "veil/compiler/statistics.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::compiler {
namespace {

std::string format(const char* pattern, double x) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, x);
  return text;
}

// " (vetted, 128-bit)", " (parameter optimizer, 128-bit)" or the toy sets' warning.
std::string set_kind(const fhe::ParameterSet& p) {
  if (p.insecure_for_tests) return " (INSECURE toy set, tests only)";
  const char* kind = fhe::optimized_parameter_set_by_name(p.name) ? "parameter optimizer" : "vetted";
  return std::string(" (") + kind + ", " + std::to_string(p.security_bits) + "-bit)";
}

}  // namespace

std::string statistics_summary(const CircuitStatistics& s) {
  const fhe::ParameterSet& p = s.params;
  std::ostringstream out;
  const bool own_targets = std::ranges::any_of(
      s.nodes, [&](const NodeStatistics& n) { return n.pbs > 0 && n.target_p_error != s.requested_p_error; });
  out << "Parameter set " << s.parameter_set << set_kind(p) << ": every PBS meets p_error <= "
      << format("%.3g", s.requested_p_error) << (own_targets ? " or its site's own target" : "") << " (worst "
      << format("%.3g", s.max_pbs_p_error) << ")";
  if (s.parameter_set_cost > 0) out << ", cost " << s.parameter_set_cost << " per PBS";
  out << "\n  n = " << p.lwe_dimension.value << ", k = " << p.glwe_dimension.value << ", N = " << p.polynomial_size.value
      << ", PBS decomposition " << p.pbs_level.value << " x 2^" << p.pbs_base_log.value << ", key switch "
      << p.ks_level.value << " x 2^" << p.ks_base_log.value << "\n  source: " << p.source << "\n";
  if (s.partitions.size() > 1) {
    out << s.partitions.size() << " partitions (one GLWE secret, each its own small key, key switching and bootstrapping keys):\n";
    for (std::size_t i = 0; i < s.partitions.size(); ++i) {
      const PartitionStatistics& q = s.partitions[i];
      char line[200];
      std::snprintf(line, sizeof line, "  %zu: %-22s n = %4zu, cost %3d: %12s PBS, %.4g units; keys %s + %s\n", i,
                    q.params.name.c_str(), q.params.lwe_dimension.value, q.cost, nn::format_count(q.pbs).c_str(), q.cost_units,
                    nn::format_bytes(q.bootstrap_key_bytes).c_str(),
                    nn::format_bytes(q.keyswitch_key_bytes).c_str());
      out << line;
    }
  }
  out << "PBS per image: " << nn::format_count(s.pbs) << " (each with one key switch)";
  for (const auto& [bits, pbs] : s.pbs_by_precision) out << "; " << bits << " bits: " << nn::format_count(pbs);
  out << "\nLinear operations per image: " << nn::format_count(s.linear_ops) << " ciphertext multiply-adds\n";
  std::vector<const NodeStatistics*> top;
  for (const NodeStatistics& n : s.nodes) {
    if (n.pbs > 0) top.push_back(&n);
  }
  std::stable_sort(top.begin(), top.end(), [](auto* a, auto* b) { return a->pbs > b->pbs; });
  top.resize(std::min<std::size_t>(top.size(), 8));
  out << "Nodes with most PBS:\n";
  for (const NodeStatistics* n : top) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-24s %-9s %2d bits %12s PBS  p_error %.3g (target %.3g)\n", n->name.c_str(),
                  n->op.c_str(), n->precision_bits, nn::format_count(n->pbs).c_str(), n->p_error, n->target_p_error);
    out << line;
  }
  out << "Keys: bootstrapping " << nn::format_bytes(s.bootstrap_key_bytes) << " (Fourier domain), key switching "
      << nn::format_bytes(s.keyswitch_key_bytes) << " in the server's memory; "
      << nn::format_bytes(s.compressed_key_bytes) << " as the client sends them (compressed)\n";
  out << "Ciphertexts: " << nn::format_bytes(s.big_ciphertext_bytes) << " (big key), "
      << nn::format_bytes(s.small_ciphertext_bytes) << " (small key); per image " << nn::format_count(s.input_ciphertexts)
      << " in (" << nn::format_bytes(s.input_bytes) << " seeded), " << nn::format_count(s.output_ciphertexts)
      << " out (" << nn::format_bytes(s.output_bytes) << ")\n";
  double expected_misreads = 0;
  for (const NodeStatistics& n : s.nodes) expected_misreads += static_cast<double>(n.pbs) * n.p_error;
  out << "Risks: " << format("%.3g", expected_misreads) << " misread PBS expected per image; P(at least one) = "
      << format("%.3g", s.circuit_p_error) << "; P(an output decodes wrongly) = " << format("%.3g", s.output_p_error)
      << " (noise std " << format("%.3g", s.output_noise_std) << " output integers; decodes |output| <= "
      << format("%.3g", static_cast<double>(s.output_bound))
      << (s.output_bound_proven ? ", proven" : ", the calibration maximum x margin: not proven") << ")\n";
  if (s.max_pbs_p_error > std::ldexp(1.0, -40)) {
    out << "  PBS may misread: decryptions must stay with the client (IND-CPA, not IND-CPA^D; docs/parameters.md)\n";
  }
  if (s.cost_units > 0) {
    out << "Cost: " << format("%.4g", s.cost_units) << " units (sum of PBS x set cost; "
        << format("%.4g", s.equivalent_pbs) << " PBS-equivalents on " << s.parameter_set << ")\n";
  }
  return out.str();
}

}  // namespace veil::compiler
