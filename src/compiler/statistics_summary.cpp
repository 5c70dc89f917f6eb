// The readable summary of a compiled program's statistics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "veil/common/format_numbers.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/fhe/parameter_optimizer.hpp"
#include "veil/nn/quant/misread_model.hpp"

namespace veil::compiler {
namespace {

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
  // Error probabilities at the precision the request is stated at (each site's own when 0).
  const auto at_request = [&](double p_error, int bits) {
    return s.p_error_bits > 0 ? nn::quant::p_error_at_bits(p_error, bits, s.p_error_bits) : p_error;
  };
  bool own_targets = false;
  double worst = 0.0;
  for (const NodeStatistics& n : s.nodes) {
    if (n.pbs == 0) continue;
    own_targets =
        own_targets || std::fabs(at_request(n.target_p_error, n.precision_bits) / s.requested_p_error - 1) > 1e-9;
    worst = std::max(worst, at_request(n.p_error, n.precision_bits));
  }
  out << "Parameter set " << s.parameter_set << set_kind(p)
      << ": every PBS meets p_error <= " << format_significant(s.requested_p_error, 3);
  if (s.p_error_bits > 0) out << " as a " << s.p_error_bits << "-bit read would";
  out << (own_targets ? " or its site's own target" : "") << " (worst " << format_significant(worst, 3) << ")";
  if (s.parameter_set_cost > 0) out << ", cost " << s.parameter_set_cost << " per PBS";
  out << "\n  n = " << p.lwe_dimension.value << ", k = " << p.glwe_dimension.value
      << ", N = " << p.polynomial_size.value << ", PBS decomposition " << p.pbs_level.value << " x 2^"
      << p.pbs_base_log.value << ", key switch " << p.ks_level.value << " x 2^" << p.ks_base_log.value
      << "\n  source: " << p.source << "\n";
  if (s.partitions.size() > 1) {
    out << s.partitions.size()
        << " partitions (one GLWE secret, each its own small key, key switching and bootstrapping keys):\n";
    for (std::size_t i = 0; i < s.partitions.size(); ++i) {
      const PartitionStatistics& q = s.partitions[i];
      char line[200];
      std::snprintf(line, sizeof line, "  %zu: %-22s n = %4zu, cost %3d: %12s PBS, %.4g units; keys %s + %s\n", i,
                    q.params.name.c_str(), q.params.lwe_dimension.value, q.cost, format_count(q.pbs).c_str(),
                    q.cost_units, format_bytes(q.bootstrap_key_bytes).c_str(),
                    format_bytes(q.keyswitch_key_bytes).c_str());
      out << line;
    }
  }
  out << "PBS per image: " << format_count(s.pbs) << " (each with one key switch)";
  for (const auto& [bits, pbs] : s.pbs_by_precision) out << "; " << bits << " bits: " << format_count(pbs);
  // Fine reads (docs/fhe_compiler.md): finer tables held to the noise of the stated reads.
  if (s.p_error_bits > 0 && !s.pbs_by_precision.empty() && s.pbs_by_precision.rbegin()->first > s.p_error_bits) {
    out << " (tables finer than " << s.p_error_bits << " bits, read at the noise of " << s.p_error_bits
        << "-bit reads)";
  }
  out << "\nLinear operations per image: " << format_count(s.linear_ops) << " ciphertext multiply-adds\n";
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
                  n->op.c_str(), n->precision_bits, format_count(n->pbs).c_str(), n->p_error, n->target_p_error);
    out << line;
  }
  out << "Keys: bootstrapping " << format_bytes(s.bootstrap_key_bytes) << " (Fourier domain), key switching "
      << format_bytes(s.keyswitch_key_bytes) << " in the server's memory; " << format_bytes(s.compressed_key_bytes)
      << " as the client sends them (compressed)\n";
  out << "Ciphertexts: " << format_bytes(s.big_ciphertext_bytes) << " (big key), "
      << format_bytes(s.small_ciphertext_bytes) << " (small key); per image " << format_count(s.input_ciphertexts)
      << " in (" << format_bytes(s.input_bytes) << " seeded), " << format_count(s.output_ciphertexts) << " out ("
      << format_bytes(s.output_bytes) << ")\n";
  double expected_misreads = 0;
  for (const NodeStatistics& n : s.nodes) expected_misreads += static_cast<double>(n.pbs) * n.p_error;
  out << "Risks: " << format_significant(expected_misreads, 3)
      << " misread PBS expected per image; P(at least one) = " << format_significant(s.circuit_p_error, 3)
      << "; P(an output decodes wrongly) = " << format_significant(s.output_p_error, 3) << " (noise std "
      << format_significant(s.output_noise_std, 3)
      << " output integers; decodes |output| <= " << format_significant(static_cast<double>(s.output_bound), 3)
      << (s.output_bound_proven ? ", proven" : ", the calibration maximum x margin: not proven") << ")\n";
  if (s.max_pbs_p_error > std::ldexp(1.0, -40)) {
    out << "  PBS may misread: decryptions must stay with the client (IND-CPA, not IND-CPA^D; docs/parameters.md)\n";
  }
  if (s.cost_units > 0) {
    out << "Cost: " << format_significant(s.cost_units, 4) << " units (sum of PBS x set cost; "
        << format_significant(s.equivalent_pbs, 4) << " PBS-equivalents on " << s.parameter_set << ")\n";
  }
  return out.str();
}

}  // namespace veil::compiler
