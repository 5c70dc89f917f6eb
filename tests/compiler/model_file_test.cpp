// The QCIR model file: round trips of quantized small ResNets in both modes (node by node and
// by their integer outputs), a hand-built circuit with every op and attribute for exhaustive
// corruption, the fingerprint, and refusal of invalid circuits.
#include "veil/compiler/model_file.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <tuple>

#include "common/memory_limit.hpp"
#include "fhe/serialize_test_support.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::compiler {
namespace {

using namespace nn::quant;
using fhe::serialize_test::expect_every_byte_flip_rejected;
using fhe::serialize_test::expect_every_truncation_rejected;
using fhe::serialize_test::load_error;
using fhe::serialize_test::rechecksum;
using fhe::serialize_test::scratch_directory;

const auto load = [](std::istream& in) { load_quantized_circuit(in); };

std::string saved(const QuantizedCircuit& circuit) {
  std::ostringstream out(std::ios::binary);
  save_quantized_circuit(circuit, out);
  return std::move(out).str();
}

QuantizedCircuit loaded(const std::string& bytes) {
  std::istringstream in(bytes, std::ios::binary);
  return load_quantized_circuit(in);
}

QuantizedCircuit small_resnet_circuit(QuantizationMode mode, std::uint32_t seed) {
  QuantizationConfig config;
  config.mode = mode;
  ThreadPool pool(2);
  return make_quantized_circuit(nn::make_small_resnet(seed), nn::make_small_images(8, seed + 1), config, pool);
}

/// Every op, both max-pool schedules' fields, per-channel and per-tensor scales, a ReLU and a
/// plain lookup: input [1,4,4] -> conv 3x3 pad 1 (2 ch) -> lookup -> max-pool 2/2 -> sum-pool
/// 2/2 -> combine (read twice) -> flatten -> fc [3, 2].
QuantizedCircuit every_op_circuit() {
  QuantizedCircuit c;
  QNode n;
  n.op = QOpKind::QuantizeInput;
  n.name = "input";
  n.shape = {1, 4, 4};
  n.scale = {{0.125}, {3}};
  n.attrs = QuantizeInputAttrs{0.125, 3, 0, 15};
  c.add(n);

  IntConv2dAttrs conv{{2, 1, 3, 3}, {}, {7, -9}, 1, 1, 3};
  for (int i = 0; i < 18; ++i) conv.weight.push_back(i % 5 - 2);
  n = QNode{QOpKind::IntConv2d, "conv", {0}, conv, {2, 4, 4}, {{0.5, 0.25}, {0, 1}}};
  c.add(n);

  LookupAttrs relu{2, 8, 4, LookupFunction{{0.5, 0.25}, -1, true, {0.75}, 2, -3, 12}};
  n = QNode{QOpKind::Lookup, "relu", {1}, relu, {2, 4, 4}, {{0.75}, {2}}};
  c.add(n);

  MaxPool2dAttrs pool{
      2, 2, 0, 2, MaxPoolSchedule::Separable, LookupAttrs{0, 16, 5, LookupFunction{{0.75}, 0, true, {0.75}, 0, 0, 15}}};
  n = QNode{QOpKind::MaxPool2d, "maxpool", {2}, pool, {2, 2, 2}, {{0.75}, {2}}};
  c.add(n);

  n = QNode{QOpKind::SumPool2d, "avgpool", {3}, SumPool2dAttrs{2, 2, 0, 2, -8}, {2, 1, 1}, {{0.1875}, {0}}};
  c.add(n);

  n = QNode{QOpKind::Combine, "add", {4, 4}, CombineAttrs{{{1, 2}, {3}}, {5}}, {2, 1, 1}, {{0.0625}, {0}}};
  c.add(n);

  n = QNode{QOpKind::Flatten, "flatten", {5}, FlattenAttrs{}, {2}, {{0.0625}, {0}}};
  c.add(n);

  n = QNode{QOpKind::IntLinear,       "fc", {6}, IntLinearAttrs{{3, 2}, {1, -1, 2, 0, -3, 4}, {10, 20, 30}}, {3},
            {{0.01, 0.02, 0.03}, {0}}};
  c.output = c.add(n);
  validate_circuit(c);
  return c;
}

// ---- node-by-node comparison, written out field by field (independent of the format code)

auto fields(const QuantizeInputAttrs& a) { return std::tie(a.scale, a.zero_point, a.q_min, a.q_max); }
auto fields(const IntConv2dAttrs& a) {
  return std::tie(a.weight_shape, a.weight, a.bias, a.stride, a.padding, a.pad_value);
}
auto fields(const IntLinearAttrs& a) { return std::tie(a.weight_shape, a.weight, a.bias); }
auto fields(const CombineAttrs& a) { return std::tie(a.multipliers, a.bias); }
auto fields(const SumPool2dAttrs& a) { return std::tie(a.kernel, a.stride, a.padding, a.pad_value, a.bias); }
auto fields(const LookupAttrs& a) {
  const LookupFunction& f = a.function;
  return std::tie(a.shift, a.offset, a.bits, f.in_scale, f.in_zero_point, f.relu, f.out_scale, f.out_zero_point,
                  f.out_min, f.out_max);
}
auto fields(const MaxPool2dAttrs& a) {
  return std::tuple_cat(std::tie(a.kernel, a.stride, a.padding, a.pad_value, a.schedule), fields(a.pair));
}
auto fields(const FlattenAttrs&) { return std::tuple<>(); }

void expect_same_circuit(const QuantizedCircuit& a, const QuantizedCircuit& b) {
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.output_decode_bound, b.output_decode_bound);
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (std::size_t i = 0; i < a.nodes.size(); ++i) {
    const QNode& x = a.nodes[i];
    const QNode& y = b.nodes[i];
    SCOPED_TRACE("node " + std::to_string(i) + " '" + x.name + "'");
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.inputs, y.inputs);
    EXPECT_EQ(x.shape, y.shape);
    EXPECT_EQ(x.scale.scale, y.scale.scale);
    EXPECT_EQ(x.scale.zero_point, y.scale.zero_point);
    ASSERT_EQ(x.attrs.index(), y.attrs.index());
    std::visit(
        [&](const auto& attrs) {
          using Attrs = std::decay_t<decltype(attrs)>;
          EXPECT_TRUE(fields(attrs) == fields(std::get<Attrs>(y.attrs))) << qop_name(x.op) << " attributes differ";
        },
        x.attrs);
  }
}

TEST(ModelFile, SmallResNetsRoundTripInBothModes) {
  const Tensor images = nn::make_small_images(6, 99);
  for (const QuantizationMode mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    SCOPED_TRACE(mode == QuantizationMode::Improved ? "improved" : "reference-compatible");
    const QuantizedCircuit circuit = small_resnet_circuit(mode, 3);
    const std::string bytes = saved(circuit);
    std::printf("small ResNet, %s: %zu nodes, %zu bytes\n",
                mode == QuantizationMode::Improved ? "improved" : "reference", circuit.nodes.size(), bytes.size());
    const QuantizedCircuit reloaded = loaded(bytes);
    expect_same_circuit(circuit, reloaded);
    IntTensor expected, actual;
    IntegerExecutor(circuit, 1).run_integers(images, expected);
    IntegerExecutor(reloaded, 1).run_integers(images, actual);
    EXPECT_EQ(expected.shape, actual.shape);
    EXPECT_EQ(expected.data, actual.data);
  }
}

TEST(ModelFile, EveryOpCircuitRoundTripsThroughAFile) {
  const QuantizedCircuit circuit = every_op_circuit();
  const std::filesystem::path dir = scratch_directory("model_file");
  const std::filesystem::path path = dir / "model.qcir";
  save_quantized_circuit_file(circuit, path);
  expect_same_circuit(circuit, load_quantized_circuit_file(path));
  // The temporary file was renamed, not left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  // Both schedules are stored.
  QuantizedCircuit sequential = circuit;
  std::get<MaxPool2dAttrs>(sequential.nodes[3].attrs).schedule = MaxPoolSchedule::Sequential;
  expect_same_circuit(sequential, loaded(saved(sequential)));
}

TEST(ModelFile, HeaderStartsWithTheVeilEnvelope) {
  const std::string bytes = saved(every_op_circuit());
  EXPECT_EQ(bytes.substr(0, 8), "VEILQCIR");
  EXPECT_EQ(bytes.substr(8, 4), std::string("\x02\x00\x00\x00", 4));  // version 2, flags 0
  std::uint64_t payload = 0;
  for (int i = 0; i < 8; ++i) payload |= std::uint64_t{static_cast<std::uint8_t>(bytes[12 + i])} << (8 * i);
  EXPECT_EQ(payload + 20 + 32, bytes.size());
}

TEST(ModelFile, FingerprintIsStableAndSensitiveToOneWeight) {
  const QuantizedCircuit circuit = small_resnet_circuit(QuantizationMode::Improved, 3);
  const std::string fingerprint = circuit_fingerprint(circuit);
  EXPECT_EQ(fingerprint.size(), 64u);
  EXPECT_TRUE(std::ranges::all_of(fingerprint, [](char c) { return std::isxdigit(c) && !std::isupper(c); }))
      << fingerprint;
  EXPECT_EQ(circuit_fingerprint(small_resnet_circuit(QuantizationMode::Improved, 3)), fingerprint)
      << "quantization is deterministic, so is the fingerprint";
  EXPECT_EQ(circuit_fingerprint(loaded(saved(circuit))), fingerprint);
  EXPECT_NE(circuit_fingerprint(small_resnet_circuit(QuantizationMode::ReferenceCompatible, 3)), fingerprint);

  QuantizedCircuit changed = circuit;
  const auto conv = std::ranges::find(changed.nodes, QOpKind::IntConv2d, &QNode::op);
  ASSERT_NE(conv, changed.nodes.end());
  std::get<IntConv2dAttrs>(conv->attrs).weight[5] += 1;
  EXPECT_NE(circuit_fingerprint(changed), fingerprint);
}

TEST(ModelFile, InvalidCircuitsAreNotSaved) {
  QuantizedCircuit circuit = every_op_circuit();
  circuit.nodes[5].inputs[1] = 6;  // a later node
  EXPECT_THROW(saved(circuit), InvalidArgument);
  circuit = every_op_circuit();
  circuit.nodes[2].name = std::string(5000, 'x');  // longer than the format's 4096 bytes
  EXPECT_THROW(saved(circuit), InvalidArgument);
}

// A pipe: its length cannot be measured, so only the caller's limit stops a header's claim.
class UnseekableBuffer : public std::stringbuf {
 public:
  explicit UnseekableBuffer(const std::string& bytes) : std::stringbuf(bytes, std::ios::in) {}

 protected:
  pos_type seekoff(off_type, std::ios::seekdir, std::ios::openmode) override { return pos_type(off_type(-1)); }
  pos_type seekpos(pos_type, std::ios::openmode) override { return pos_type(off_type(-1)); }
};

// Issue 14: the loader's limit was a fixed 4 GiB. Given the payload the caller expects
// (model_payload_bytes, recorded by compile), a pipe declaring more is refused from its 20-byte
// header, naming both sizes; the exact size still loads.
TEST(ModelFile, ExpectedPayloadSizeIsTheLimit) {
  const QuantizedCircuit circuit = every_op_circuit();
  const std::string bytes = saved(circuit);
  const std::uint64_t expected = model_payload_bytes(circuit);
  EXPECT_EQ(expected + 20 + 32, bytes.size());
  UnseekableBuffer exact(bytes);
  std::istream exact_in(&exact);
  expect_same_circuit(load_quantized_circuit(exact_in, expected), circuit);

  std::string claims_4_gib = bytes.substr(0, 20);
  const std::uint64_t declared = (std::uint64_t{1} << 32) - 1;
  for (int i = 0; i < 8; ++i) claims_4_gib[12 + i] = static_cast<char>(declared >> (8 * i));
  claims_4_gib += bytes.substr(20);
  UnseekableBuffer pipe(claims_4_gib);
  std::istream in(&pipe);
  try {
    load_quantized_circuit(in, expected);
    ADD_FAILURE() << "a payload above the expected size loaded";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("payload length " + std::to_string(declared) + " exceeds the limit of " +
                                         std::to_string(expected) + " bytes"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(pipe.in_avail(), static_cast<std::streamsize>(claims_4_gib.size() - 20)) << "read past the header";
}

// Issue 14: the decoder made as many nodes as the header counted (up to 2^20, each 42 payload
// bytes at least, 296 as a QNode) before reading one: a 44 MB payload whose first node is
// malformed cost 310 MB. It now reserves no more than the payload's bytes.
TEST(ModelFile, NodeCountAllocatesNoMoreThanThePayload) {
  VEIL_SKIP_UNDER_ASAN();
  const std::uint64_t nodes = std::uint64_t{1} << 20;
  const std::size_t payload_bytes = 8 + 4 + 8 + nodes * 42;  // count, output, bound, minimal nodes
  const std::filesystem::path path = scratch_directory("model_file_node_count") / "model.qcir";
  {
    std::string file("VEIL"
                     "QCIR",
                     8);
    const auto put_le = [&](std::uint64_t value, int bytes) {
      for (int i = 0; i < bytes; ++i) file.push_back(static_cast<char>(value >> (8 * i)));
    };
    put_le(kModelFormatVersion, 2);
    put_le(0, 2);  // flags
    put_le(payload_bytes, 8);
    std::string payload(payload_bytes, '\0');
    for (int i = 0; i < 8; ++i) payload[i] = static_cast<char>(nodes >> (8 * i));
    payload[20] = 99;  // node 0's op
    file += payload + std::string(32, '\0');
    rechecksum(file);
    std::ofstream(path, std::ios::binary) << file;
  }
  const auto refused = [&] {
    try {
      load_quantized_circuit_file(path);
    } catch (const FormatError& e) {
      return std::string(e.what()).find("node 0: op 99") != std::string::npos ? 0 : 1;
    }
    return 2;
  };
  // The payload read (its string may hold twice its size while it grows), then what is reserved.
  const auto cap = [&] { return veil::testing::mapped_bytes_now() + 4 * payload_bytes; };
  EXPECT_EQ(veil::testing::exit_code_under_address_space_cap(cap, refused), 0);
  std::filesystem::remove(path);
}

class ModelFileCorruption : public ::testing::Test {
 protected:
  const std::string bytes_ = saved(every_op_circuit());
};

TEST_F(ModelFileCorruption, EveryTruncationIsRejected) { expect_every_truncation_rejected(bytes_, load); }

TEST_F(ModelFileCorruption, EverySingleByteFlipIsRejected) { expect_every_byte_flip_rejected(bytes_, load); }

TEST_F(ModelFileCorruption, EveryFlipBehindAValidChecksumLoadsOrIsAFormatError) {
  // With the checksum recomputed, the field checks alone must catch what would break the
  // circuit: each flip either loads a valid circuit (a weight changed) or throws FormatError.
  std::size_t rejected = 0;
  for (std::size_t i = 20; i + 32 < bytes_.size(); ++i) {
    std::string corrupt = bytes_;
    corrupt[i] = static_cast<char>(~corrupt[i]);
    rechecksum(corrupt);
    try {
      validate_circuit(loaded(corrupt));
    } catch (const FormatError&) {
      ++rejected;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "byte " << i << ": " << typeid(e).name() << ": " << e.what();
    }
  }
  std::printf("%zu of %zu payload flips rejected\n", rejected, bytes_.size() - 52);
  EXPECT_GT(rejected, (bytes_.size() - 52) / 2);
}

TEST_F(ModelFileCorruption, AnEdgeToALaterNodeIsRejected) {
  // Node "add" reads node 4 twice: u64 input count 2, then i32 4, i32 4. Point its second input at node 6.
  const std::string inputs("\x02\0\0\0\0\0\0\0\x04\0\0\0\x04\0\0\0", 16);
  const std::size_t at = bytes_.find(inputs);
  ASSERT_NE(at, std::string::npos);
  ASSERT_EQ(bytes_.find(inputs, at + 1), std::string::npos);
  std::string corrupt = bytes_;
  corrupt[at + 12] = 6;
  rechecksum(corrupt);
  const std::string message = load_error(corrupt, load);
  EXPECT_NE(message.find("invalid circuit"), std::string::npos) << message;
  EXPECT_NE(message.find("input value 6 is not an earlier node"), std::string::npos) << message;
}

TEST_F(ModelFileCorruption, HeaderErrorsAreNamed) {
  const auto edited = [&](std::size_t offset, std::string_view value) {
    std::string corrupt = bytes_;
    corrupt.replace(offset, value.size(), value);
    rechecksum(corrupt);
    return load_error(corrupt, load);
  };
  EXPECT_NE(edited(0, "VEIX").find("bad magic \"VEIX\""), std::string::npos);
  EXPECT_NE(edited(4, "CTXT").find("object kind \"CTXT\", expected \"QCIR\""), std::string::npos);
  EXPECT_NE(edited(8, std::string("\x01", 1)).find("format version 1 unsupported"), std::string::npos);
  EXPECT_NE(edited(10, std::string("\x01", 1)).find("flags 1 unsupported"), std::string::npos);
  EXPECT_NE(edited(19, std::string("\x01", 1)).find("exceeds the limit"), std::string::npos);
  std::string bad_checksum = bytes_;
  bad_checksum.back() = static_cast<char>(bad_checksum.back() ^ 1);
  EXPECT_NE(load_error(bad_checksum, load).find("checksum mismatch"), std::string::npos);
  // A node count far beyond the payload is refused before allocating.
  EXPECT_NE(edited(20, std::string("\x00\x00\x10\x00\x00\x00\x00\x00", 8)).find("node count"), std::string::npos);
}

TEST_F(ModelFileCorruption, TrailingBytesAndMissingFilesAreRefused) {
  const std::filesystem::path dir = scratch_directory("model_file_trailing");
  std::ofstream(dir / "model.qcir", std::ios::binary) << bytes_ << 'x';
  EXPECT_THROW(load_quantized_circuit_file(dir / "model.qcir"), FormatError);
  EXPECT_THROW(load_quantized_circuit_file(dir / "missing.qcir"), IoError);
  // A stream holds objects back to back: the stream loader reads exactly one.
  std::istringstream two(bytes_ + bytes_, std::ios::binary);
  load_quantized_circuit(two);
  load_quantized_circuit(two);
  EXPECT_EQ(two.peek(), std::istream::traits_type::eof());
}

}  // namespace
}  // namespace veil::compiler
