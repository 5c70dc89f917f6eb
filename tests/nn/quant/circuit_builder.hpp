#pragma once
// Hand-built quantized circuits for tests (nn's and the compiler's): one node at a time.
#include <string>
#include <utility>
#include <vector>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant::testing {

/// Appends a node and returns its value id.
inline QValueId add_node(QuantizedCircuit& c, QOpKind op, std::string name, std::vector<QValueId> inputs,
                         QOpAttrs attrs, Shape shape) {
  QNode n;
  n.op = op;
  n.name = std::move(name);
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  n.shape = std::move(shape);
  return c.add(std::move(n));
}

}  // namespace veil::nn::quant::testing
