#include "veil/nn/quant/pbs_account.hpp"

#include <string>

#include "nn/quant/executor/circuit_runner.hpp"
#include "veil/common/error.hpp"

namespace veil::nn::quant {

PbsAccount make_pbs_account(const QuantizedCircuit& circuit) {
  PbsAccount account;
  for (std::size_t i = 0; i < circuit.nodes.size(); ++i) {
    const std::uint64_t pbs = node_pbs_count(circuit, i);
    if (pbs == 0) continue;
    const QNode& n = circuit.nodes[i];
    const int bits = pbs_lookup(n)->bits;  // a node with PBS holds a lookup
    account.nodes.push_back({n.name, n.op, bits, pbs});
    account.by_bits[bits] += pbs;
    account.total += pbs;
  }
  return account;
}

double lookup_cost_equivalents(const PbsAccount& account, const std::map<int, double>& cost_per_bits) {
  const auto six = cost_per_bits.find(6);
  if (six == cost_per_bits.end() || !(six->second > 0.0)) {
    throw InvalidArgument("lookup cost map: needs a positive cost for 6 bits (the unit)");
  }
  double total = 0.0;
  for (const auto& [bits, pbs] : account.by_bits) {
    const auto it = cost_per_bits.find(bits);
    if (it == cost_per_bits.end()) {
      throw InvalidArgument("lookup cost map: no cost for " + std::to_string(bits) + "-bit lookups (" +
                            std::to_string(pbs) + " PBS)");
    }
    total += static_cast<double>(pbs) * it->second / six->second;
  }
  return total;
}

}  // namespace veil::nn::quant
