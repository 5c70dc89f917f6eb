// The PBS sites of a circuit: one per Lookup node and per MaxPool2d node (its pair lookup),
// counted per image by nn's PBS account so that every layer counts PBS the same way.
#include <algorithm>
#include <map>
#include <string>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/misread_model.hpp"
#include "veil/nn/quant/pbs_account.hpp"

namespace veil::compiler::detail {

std::vector<PbsSite> make_pbs_sites(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& exponents,
                                    const NoiseAnalysis& noise, const CompileOptions& options) {
  using namespace nn::quant;
  if (options.p_error_bits < 0 || options.p_error_bits > 62) {
    throw InvalidArgument("compile options: p_error_bits " + std::to_string(options.p_error_bits) +
                          ", expected 0 (each site's own precision) to 62");
  }
  std::map<std::string, std::uint64_t> counts;
  for (const PbsNodeCount& node : make_pbs_account(circuit).nodes) counts[node.name] = node.pbs;
  std::vector<PbsSite> sites;
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const QNode& n = circuit.nodes[v];
    const auto count = counts.find(n.name);
    if (count == counts.end()) continue;         // no PBS (not a lookup, or a 1x1 max-pool)
    const LookupAttrs& lookup = *pbs_lookup(n);  // a node with PBS holds a lookup
    PbsSite site;
    site.node = static_cast<QValueId>(v);
    site.precision_bits = lookup.bits;
    site.read_exponent = read_exponent(lookup);
    site.output_exponent = exponents[v];
    site.input_noise = noise.reads[v];
    site.count = count->second;
    const auto target = options.p_error_by_node.find(n.name);
    site.target_p_error = target == options.p_error_by_node.end() ? options.p_error : target->second;
    if (options.p_error_bits > 0) {
      site.target_p_error = p_error_at_bits(site.target_p_error, options.p_error_bits, site.precision_bits);
    }
    sites.push_back(site);
  }
  for (const auto& entry : options.p_error_by_node) {
    const std::string& name = entry.first;  // a named reference: clang 14's lambdas cannot capture bindings
    const double target = entry.second;
    const bool known = std::ranges::any_of(sites, [&](const PbsSite& s) { return circuit.node(s.node).name == name; });
    if (!known) throw InvalidArgument("compile options: a p_error target for '" + name + "', which is no PBS site");
    if (!(target > 0 && target < 1)) {
      throw InvalidArgument("compile options: p_error target " + std::to_string(target) + " for '" + name +
                            "', expected 0 < p < 1");
    }
  }
  return sites;
}

}  // namespace veil::compiler::detail
