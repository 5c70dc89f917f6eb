// Exponents, backwards from the readers: each value sits at the largest exponent every reader
// can lift it from, so that lifts (which multiply the noise) stay as small as possible; the
// output at the largest that decodes its bound.
#include <algorithm>
#include <bit>
#include <climits>
#include <string>

#include "compiler/compile_steps.hpp"
#include "veil/common/error.hpp"

namespace veil::compiler::detail {
namespace {

using nn::quant::LookupAttrs;
using nn::quant::MaxPool2dAttrs;
using nn::quant::QNode;
using nn::quant::QOpKind;

std::string describe(const QNode& n) { return "node '" + n.name + "' (" + nn::quant::qop_name(n.op) + ")"; }

// How far above a reader its input slot k may sit: a Combine slot's multipliers' shared 2^t
// (the reader divides them exactly), 0 for every other reader.
int headroom(const QNode& reader, std::size_t k) {
  if (reader.op != QOpKind::Combine) return 0;
  return shared_twos(std::get<nn::quant::CombineAttrs>(reader.attrs).multipliers[k]);
}

// The exponent `reader` (already placed at `reader_exponent`) needs its input `value` at.
int needed_by(const QNode& reader, int reader_exponent, nn::quant::QValueId value) {
  if (reader.op == QOpKind::Lookup) return read_exponent(std::get<LookupAttrs>(reader.attrs));
  // Linear nodes and max-pools lift their inputs to their own exponent, or divide a Combine
  // slot's multipliers by its shared power of two; a value read twice by one node takes the
  // lowest of its slots.
  int needed = INT_MAX;
  for (std::size_t k = 0; k < reader.inputs.size(); ++k) {
    if (reader.inputs[k] == value) needed = std::min(needed, reader_exponent + headroom(reader, k));
  }
  return std::min(needed, std::max(reader_exponent, 63));  // no phase above 2^63
}

void check_lift(const QNode& n, const std::string& what, int lift, int lowest = 0) {
  if (lift < lowest || lift >= 63) {
    throw InvalidArgument(describe(n) + ": " + what + " lift 2^" + std::to_string(lift) + " is outside [2^" +
                          std::to_string(lowest) + ", 2^62]");
  }
}

void check_lifts(const nn::quant::QuantizedCircuit& circuit, const std::vector<int>& e) {
  for (std::size_t v = 0; v < circuit.nodes.size(); ++v) {
    const QNode& n = circuit.nodes[v];
    for (std::size_t k = 0; k < n.inputs.size(); ++k) {
      const int input_exponent = e[static_cast<std::size_t>(n.inputs[k])];
      const int target = n.op == QOpKind::Lookup ? read_exponent(std::get<LookupAttrs>(n.attrs)) : e[v];
      check_lift(n, "input " + std::to_string(k), target - input_exponent, -headroom(n, k));
    }
    if (n.op == QOpKind::MaxPool2d) {
      check_lift(n, "pairwise difference", read_exponent(std::get<MaxPool2dAttrs>(n.attrs).pair) - e[v]);
    }
  }
}

}  // namespace

int decodable_exponent(std::int64_t bound, const std::string& node) {
  const int bits = static_cast<int>(std::bit_width(static_cast<std::uint64_t>(bound)));  // ceil(log2(bound + 1))
  const int exponent = 64 - (bits + 2);
  if (bound < 0 || exponent < 0) {
    throw InvalidArgument("output '" + node + "': its integers reach " + std::to_string(bound) +
                          ", too wide to decode from a 64-bit phase (at most 2^62 - 1)");
  }
  return exponent;
}

int read_exponent(const LookupAttrs& lookup) { return 63 - lookup.bits - lookup.shift; }

int shared_twos(const std::vector<std::int64_t>& multipliers) {
  int t = 63;
  bool any = false;
  for (std::int64_t m : multipliers) {
    if (m == 0) continue;
    any = true;
    t = std::min(t, std::countr_zero(static_cast<std::uint64_t>(m)));
  }
  return any ? t : 0;
}

std::vector<int> assign_exponents(const nn::quant::QuantizedCircuit& circuit, int output_exponent) {
  const std::size_t count = circuit.nodes.size();
  for (const QNode& n : circuit.nodes) {
    const LookupAttrs* lookup = nn::quant::pbs_lookup(n);
    if (lookup && read_exponent(*lookup) < 0) {
      throw InvalidArgument(describe(n) + ": lookup reads bits " + std::to_string(lookup->bits) + " + shift " +
                            std::to_string(lookup->shift) + " > 63 bits of the torus");
    }
  }
  std::vector<std::vector<std::size_t>> readers(count);
  for (std::size_t v = 0; v < count; ++v) {
    for (nn::quant::QValueId in : circuit.nodes[v].inputs) readers[static_cast<std::size_t>(in)].push_back(v);
  }
  std::vector<int> e(count, INT_MAX);
  for (std::size_t v = count; v-- > 0;) {
    const QNode& n = circuit.nodes[v];
    const bool is_output = static_cast<std::size_t>(circuit.output) == v;
    if (readers[v].empty() && !is_output) {
      throw InvalidArgument(describe(n) + ": its value is never read and is not the circuit's output");
    }
    for (std::size_t r : readers[v]) {
      e[v] = std::min(e[v], needed_by(circuit.nodes[r], e[r], static_cast<nn::quant::QValueId>(v)));
    }
    if (is_output) e[v] = std::min(e[v], output_exponent);
    // A max-pool's differences are lifted to its pair lookup's read exponent.
    if (n.op == QOpKind::MaxPool2d) e[v] = std::min(e[v], read_exponent(std::get<MaxPool2dAttrs>(n.attrs).pair));
    if (e[v] < 0) throw InvalidArgument(describe(n) + ": exponent " + std::to_string(e[v]) + " < 0");
  }
  check_lifts(circuit, e);
  return e;
}

}  // namespace veil::compiler::detail

namespace veil::compiler {

std::int64_t lifted_weight(std::int64_t w, int from, int to, const std::string& what) {
  const int lift = to - from;
  if (lift < -63 || lift > 63) {
    throw InvalidArgument(what + ": lift 2^" + std::to_string(lift) + " from exponent " + std::to_string(from) +
                          " to " + std::to_string(to) + " is outside [2^-63, 2^63]");
  }
  if (lift >= 0) return static_cast<std::int64_t>(static_cast<std::uint64_t>(w) << lift);
  if (w != 0 && std::countr_zero(static_cast<std::uint64_t>(w)) < -lift) {
    throw InvalidArgument(what + ": weight " + std::to_string(w) + " is not a multiple of 2^" + std::to_string(-lift) +
                          " (input at exponent " + std::to_string(from) + " above the node's " + std::to_string(to) +
                          ")");
  }
  return w >> -lift;
}

}  // namespace veil::compiler
