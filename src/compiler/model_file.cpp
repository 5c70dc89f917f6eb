// The QCIR payload: every field of every node of a QuantizedCircuit (layout in
// docs/serialization.md). Counts are u64, integers little-endian, doubles their IEEE-754 bits.
#include "veil/compiler/model_file.hpp"

#include <algorithm>
#include <istream>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>

#include "veil/common/envelope.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"

namespace veil::compiler {

namespace {

using namespace nn::quant;

// Caps on what a loader accepts, far above ResNet-18 (70 nodes; the payload: kMaxModelPayloadBytes).
constexpr std::uint64_t kMaxNodes = std::uint64_t{1} << 20;
constexpr std::uint64_t kMaxNameBytes = 4096;
constexpr std::uint64_t kMaxInputs = std::uint64_t{1} << 16;
constexpr std::uint64_t kMaxRank = 8;
constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;  // per shape
constexpr std::int64_t kMaxWindow = std::int64_t{1} << 31;    // kernel, stride, padding

constexpr std::uint8_t kOpCount = 8;
static_assert(static_cast<int>(QOpKind::Flatten) + 1 == kOpCount);
// The attributes kind byte is the variant index, in QOpKind's order.
static_assert(std::variant_size_v<QOpAttrs> == kOpCount);
static_assert(std::is_same_v<std::variant_alternative_t<0, QOpAttrs>, QuantizeInputAttrs> &&
              std::is_same_v<std::variant_alternative_t<1, QOpAttrs>, IntConv2dAttrs> &&
              std::is_same_v<std::variant_alternative_t<2, QOpAttrs>, IntLinearAttrs> &&
              std::is_same_v<std::variant_alternative_t<3, QOpAttrs>, CombineAttrs> &&
              std::is_same_v<std::variant_alternative_t<4, QOpAttrs>, SumPool2dAttrs> &&
              std::is_same_v<std::variant_alternative_t<5, QOpAttrs>, MaxPool2dAttrs> &&
              std::is_same_v<std::variant_alternative_t<6, QOpAttrs>, LookupAttrs> &&
              std::is_same_v<std::variant_alternative_t<7, QOpAttrs>, FlattenAttrs>);

// ---- writing

void write_shape(ByteWriter& w, const Shape& shape) {
  w.u64(shape.size());
  w.i64_array(shape);
}

void write_ints(ByteWriter& w, const std::vector<std::int64_t>& values) {
  w.u64(values.size());
  w.i64_array(values);
}

void write_doubles(ByteWriter& w, const std::vector<double>& values) {
  w.u64(values.size());
  w.f64_array(values);
}

void write_window(ByteWriter& w, std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                  std::int64_t pad_value) {
  for (const std::int64_t v : {kernel, stride, padding, pad_value}) w.i64(v);
}

void write_lookup(ByteWriter& w, const LookupAttrs& a) {
  w.i32(a.shift);
  w.i64(a.offset);
  w.i32(a.bits);
  const LookupFunction& f = a.function;
  write_doubles(w, f.in_scale);
  w.i64(f.in_zero_point);
  w.u8(f.relu ? 1 : 0);
  write_doubles(w, f.out_scale);
  w.i64(f.out_zero_point);
  w.i64(f.out_min);
  w.i64(f.out_max);
}

struct AttrsWriter {
  ByteWriter& w;
  void operator()(const QuantizeInputAttrs& a) const {
    w.f64(a.scale);
    w.i64(a.zero_point);
    w.i64(a.q_min);
    w.i64(a.q_max);
  }
  void operator()(const IntConv2dAttrs& a) const {
    write_shape(w, a.weight_shape);
    write_ints(w, a.weight);
    write_ints(w, a.bias);
    w.i64(a.stride);
    w.i64(a.padding);
    w.i64(a.pad_value);
  }
  void operator()(const IntLinearAttrs& a) const {
    write_shape(w, a.weight_shape);
    write_ints(w, a.weight);
    write_ints(w, a.bias);
  }
  void operator()(const CombineAttrs& a) const {
    w.u64(a.multipliers.size());
    for (const auto& m : a.multipliers) write_ints(w, m);
    write_ints(w, a.bias);
  }
  void operator()(const SumPool2dAttrs& a) const {
    write_window(w, a.kernel, a.stride, a.padding, a.pad_value);
    w.i64(a.bias);
  }
  void operator()(const MaxPool2dAttrs& a) const {
    write_window(w, a.kernel, a.stride, a.padding, a.pad_value);
    w.u8(a.schedule == MaxPoolSchedule::Sequential ? 0 : 1);
    write_lookup(w, a.pair);
  }
  void operator()(const LookupAttrs& a) const { write_lookup(w, a); }
  void operator()(const FlattenAttrs&) const {}
};

std::string encode_payload(const QuantizedCircuit& circuit) {
  std::ostringstream out(std::ios::binary);
  ByteWriter w(out);
  w.u64(circuit.nodes.size());
  w.i32(circuit.output);
  w.i64(circuit.output_decode_bound);
  for (const QNode& n : circuit.nodes) {
    w.u8(static_cast<std::uint8_t>(n.op));
    w.u8(static_cast<std::uint8_t>(n.attrs.index()));
    w.u64(n.name.size());
    w.string(n.name);
    w.u64(n.inputs.size());
    for (const QValueId in : n.inputs) w.i32(in);
    write_shape(w, n.shape);
    write_doubles(w, n.scale.scale);
    write_ints(w, n.scale.zero_point);
    std::visit(AttrsWriter{w}, n.attrs);
  }
  return std::move(out).str();
}

// ---- reading: every count is checked against the bytes left before anything is allocated.

class CircuitReader {
 public:
  /// Reads from `reader`'s position to the end of its fence (or of its stream).
  explicit CircuitReader(ByteReader& reader) : r_(reader) {}

  QuantizedCircuit circuit() {
    QuantizedCircuit c;
    // A node takes at least 2 + 8 + 8 + 8 + 8 + 8 bytes (op, kinds, counts).
    const std::uint64_t count = r_.count("node count", 42, kMaxNodes);
    c.output = r_.i32("output value");
    c.output_decode_bound = r_.i64("output decode bound");
    // A count the payload can hold (42 bytes a node) is still several times the payload as
    // QNodes: nothing is reserved, the nodes grow only with the nodes actually read.
    for (std::uint64_t i = 0; i < count; ++i) c.nodes.push_back(node(i));
    if (const std::uint64_t left = r_.bytes_left().value_or(0); left != 0) {
      r_.fail("payload length mismatch: " + std::to_string(left) + " bytes follow the last node");
    }
    return c;
  }

 private:
  QNode node(std::uint64_t index) {
    QNode n;
    at_ = "node " + std::to_string(index);
    const std::uint8_t op = r_.u8(field("op"));
    if (op >= kOpCount) r_.fail(at_ + ": op " + std::to_string(op) + ", expected 0.." + std::to_string(kOpCount - 1));
    n.op = static_cast<QOpKind>(op);
    const std::uint8_t attrs = r_.u8(field("attributes kind"));
    if (attrs >= kOpCount) {
      r_.fail(at_ + ": attributes kind " + std::to_string(attrs) + ", expected 0.." + std::to_string(kOpCount - 1));
    }
    n.name = r_.string(r_.count(field("name length"), 1, kMaxNameBytes), field("name"));
    at_ += " '" + n.name + "' (" + qop_name(n.op) + ")";
    n.inputs.resize(r_.count(field("input count"), 4, kMaxInputs));
    for (QValueId& in : n.inputs) in = r_.i32(field("input"));
    n.shape = shape("shape");
    n.scale.scale = doubles("scale");
    n.scale.zero_point = ints("zero points");
    n.attrs = read_attrs(attrs);
    return n;
  }

  QOpAttrs read_attrs(std::uint8_t kind) {
    switch (kind) {
      case 0: {
        QuantizeInputAttrs a;
        a.scale = r_.f64(field("input scale"));
        a.zero_point = r_.i64(field("input zero point"));
        a.q_min = r_.i64(field("q_min"));
        a.q_max = r_.i64(field("q_max"));
        return a;
      }
      case 1: {
        IntConv2dAttrs a;
        a.weight_shape = shape("weight shape");
        a.weight = ints("weights");
        a.bias = ints("bias");
        a.stride = window("stride");
        a.padding = window("padding");
        a.pad_value = r_.i64(field("pad value"));
        return a;
      }
      case 2: {
        IntLinearAttrs a;
        a.weight_shape = shape("weight shape");
        a.weight = ints("weights");
        a.bias = ints("bias");
        return a;
      }
      case 3: {
        CombineAttrs a;
        a.multipliers.resize(r_.count(field("multiplier list count"), 8, kMaxInputs));
        for (auto& m : a.multipliers) m = ints("multipliers");
        a.bias = ints("bias");
        return a;
      }
      case 4: {
        SumPool2dAttrs a;
        read_window(a.kernel, a.stride, a.padding, a.pad_value);
        a.bias = r_.i64(field("bias"));
        return a;
      }
      case 5: {
        MaxPool2dAttrs a;
        read_window(a.kernel, a.stride, a.padding, a.pad_value);
        a.schedule = flag("max-pool schedule") ? MaxPoolSchedule::Separable : MaxPoolSchedule::Sequential;
        a.pair = lookup();
        return a;
      }
      case 6: return lookup();
      default: return FlattenAttrs{};
    }
  }

  LookupAttrs lookup() {
    LookupAttrs a;
    a.shift = r_.i32(field("lookup shift"));
    a.offset = r_.i64(field("lookup offset"));
    a.bits = r_.i32(field("lookup bits"));
    LookupFunction& f = a.function;
    f.in_scale = doubles("lookup in_scale");
    f.in_zero_point = r_.i64(field("lookup in_zero_point"));
    f.relu = flag("lookup relu");
    f.out_scale = doubles("lookup out_scale");
    f.out_zero_point = r_.i64(field("lookup out_zero_point"));
    f.out_min = r_.i64(field("lookup out_min"));
    f.out_max = r_.i64(field("lookup out_max"));
    return a;
  }

  void read_window(std::int64_t& kernel, std::int64_t& stride, std::int64_t& padding, std::int64_t& pad_value) {
    kernel = window("kernel");
    stride = window("stride");
    padding = window("padding");
    pad_value = r_.i64(field("pad value"));
  }

  /// Kernel, stride or padding: bounded so that validate_circuit's window arithmetic cannot overflow.
  std::int64_t window(const char* what) {
    const std::int64_t v = r_.i64(field(what));
    if (v < 0 || v > kMaxWindow) r_.fail(at_ + ": " + what + " " + std::to_string(v) + ", expected 0..2^31");
    return v;
  }

  bool flag(const char* what) {
    const std::uint8_t v = r_.u8(field(what));
    if (v > 1) r_.fail(at_ + ": " + what + " " + std::to_string(v) + ", expected 0 or 1");
    return v == 1;
  }

  /// Rank <= 8, every dimension >= 1, at most 2^40 elements.
  Shape shape(const char* what) {
    Shape s(r_.count(field(std::string(what) + " rank"), 8, kMaxRank));
    std::int64_t elements = 1;
    for (std::int64_t& d : s) {
      d = r_.i64(field(what));
      if (d < 1 || d > kMaxElements / elements) {
        r_.fail(at_ + ": " + what + " dimension " + std::to_string(d) + ", expected >= 1 and at most 2^40 elements");
      }
      elements *= d;
    }
    return s;
  }

  std::vector<std::int64_t> ints(const char* what) {
    const std::string name = field(what);
    return r_.i64_vector(r_.count(name + " count", 8, static_cast<std::uint64_t>(kMaxElements)), name);
  }

  std::vector<double> doubles(const char* what) {
    const std::string name = field(what);
    return r_.f64_vector(r_.count(name + " count", 8, static_cast<std::uint64_t>(kMaxElements)), name);
  }

  std::string field(const std::string& what) const { return at_ + " " + what; }

  ByteReader& r_;
  std::string at_;  // "node 3 'conv1' (IntConv2d)": opens field names
};

/// `circuit` if validate_circuit accepts it, else FormatError "model file: invalid circuit: ...".
QuantizedCircuit validated(QuantizedCircuit circuit) {
  try {
    nn::quant::validate_circuit(circuit);
  } catch (const InvalidArgument& e) {
    throw FormatError(std::string(kModelFileKind.name) + ": invalid circuit: " + e.what());
  }
  return circuit;
}

}  // namespace

void save_quantized_circuit(const QuantizedCircuit& circuit, std::ostream& out) {
  nn::quant::validate_circuit(circuit);
  const std::string payload = encode_payload(circuit);
  // Read it back: a circuit beyond the format's caps is refused now rather than at load.
  try {
    std::istringstream in(payload, std::ios::binary);
    ByteReader reader(in, std::string(kModelFileKind.name));
    validated(CircuitReader(reader).circuit());
  } catch (const FormatError& e) {
    throw InvalidArgument(std::string("cannot save this circuit: ") + e.what());
  }
  ByteWriter writer(out);
  write_envelope_header(writer, kModelFileKind, payload.size());
  writer.string(payload);
  writer.checksum();
}

QuantizedCircuit load_quantized_circuit(std::istream& in, std::uint64_t max_payload_bytes) {
  ByteReader reader(in, std::string(kModelFileKind.name));
  read_envelope_header(reader, kModelFileKind, std::min(max_payload_bytes, kMaxModelPayloadBytes));
  QuantizedCircuit circuit = CircuitReader(reader).circuit();
  read_envelope_trailer(reader);
  return validated(std::move(circuit));
}

void save_quantized_circuit_file(const QuantizedCircuit& circuit, const std::filesystem::path& path) {
  write_file_atomically(path, [&](std::ostream& out) { save_quantized_circuit(circuit, out); });
}

QuantizedCircuit load_quantized_circuit_file(const std::filesystem::path& path, std::uint64_t max_payload_bytes) {
  QuantizedCircuit circuit;
  read_whole_file(path, "model", [&](std::istream& in) { circuit = load_quantized_circuit(in, max_payload_bytes); });
  return circuit;
}

std::uint64_t model_payload_bytes(const QuantizedCircuit& circuit) { return encode_payload(circuit).size(); }

std::string circuit_fingerprint(const QuantizedCircuit& circuit) {
  return hex_digits(sha256({encode_payload(circuit)}));
}

}  // namespace veil::compiler
