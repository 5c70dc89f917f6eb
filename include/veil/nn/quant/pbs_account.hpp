#pragma once
// PBS accounting of a quantized circuit, per image: by node (layer) and by precision p.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

struct PbsNodeCount {
  std::string name;  // QNode name
  QOpKind op = QOpKind::Lookup;
  int bits = 0;  // p, the lookup's index precision
  std::uint64_t pbs = 0;
};

struct PbsAccount {
  std::vector<PbsNodeCount> nodes;       // circuit order, nodes with at least one PBS
  std::map<int, std::uint64_t> by_bits;  // precision p -> PBS
  std::uint64_t total = 0;
};

PbsAccount make_pbs_account(const QuantizedCircuit& circuit);

/// Cost in 6-bit-lookup equivalents: sum over precisions of PBS * cost[p] / cost[6].
/// cost_per_bits maps p to the cost of one lookup at p bits (e.g. from the FHE layer's
/// parameter-set costs); it must hold 6 and every p the account uses (InvalidArgument).
double lookup_cost_equivalents(const PbsAccount& account, const std::map<int, double>& cost_per_bits);

}  // namespace veil::nn::quant
