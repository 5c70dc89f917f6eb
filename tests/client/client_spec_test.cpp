// The client spec: exact JSON and file round trips, strict parsing (every missing, mistyped,
// out-of-range or unknown field named), the checksum over its content, the load limits. What a
// compiled program publishes: tests/runtime/published_client_spec_test.cpp.
#include "veil/client/client_spec.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "veil/common/error.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/seeded_lwe.hpp"

namespace veil::client {
namespace {

using Json = nlohmann::ordered_json;

/// Doubles that a decimal writer with too few digits would not round-trip.
ClientSpec hand_filled_spec() {
  ClientSpec spec;
  spec.program_fingerprint = std::string(32, 'a') + std::string(32, '7');
  spec.parameter_sets = {"insecure_toy_p6", "insecure_toy_p6_n224"};
  spec.input_shape = {3, 8, 8};
  spec.input_quantization = {1.0 / 3.0, -7, -128, 127};
  spec.input_exponent = 55;
  spec.output_shape = {4};
  spec.output_scale.scale = {0.1, std::nextafter(1.0, 2.0), 4.9406564584124654e-324, 1.7976931348623157e308};
  spec.output_scale.zero_point = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                  std::numeric_limits<std::int64_t>::max()};
  spec.output_exponent = 40;
  spec.output_bound = std::int64_t{1} << 40;
  return spec;
}

void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i])) << i;
}

void expect_same_spec(const ClientSpec& a, const ClientSpec& b) {
  EXPECT_EQ(a.program_fingerprint, b.program_fingerprint);
  EXPECT_EQ(a.parameter_sets, b.parameter_sets);
  EXPECT_EQ(a.input_shape, b.input_shape);
  expect_same_bits({a.input_quantization.scale}, {b.input_quantization.scale});
  EXPECT_EQ(a.input_quantization.zero_point, b.input_quantization.zero_point);
  EXPECT_EQ(a.input_quantization.q_min, b.input_quantization.q_min);
  EXPECT_EQ(a.input_quantization.q_max, b.input_quantization.q_max);
  EXPECT_EQ(a.input_exponent, b.input_exponent);
  EXPECT_EQ(a.output_shape, b.output_shape);
  expect_same_bits(a.output_scale.scale, b.output_scale.scale);
  EXPECT_EQ(a.output_scale.zero_point, b.output_scale.zero_point);
  EXPECT_EQ(a.output_exponent, b.output_exponent);
  EXPECT_EQ(a.output_bound, b.output_bound);
}

/// The FormatError message of parsing `doc`; fails the test unless it throws one.
std::string parse_error(const Json& doc) {
  try {
    parse_client_spec(doc.dump());
  } catch (const FormatError& e) {
    return e.what();
  }
  ADD_FAILURE() << "parsed: " << doc.dump();
  return {};
}

TEST(ClientSpec, JsonRoundTripIsExact) {
  const ClientSpec spec = hand_filled_spec();
  const std::string json = client_spec_json(spec);
  const ClientSpec parsed = parse_client_spec(json);
  expect_same_spec(spec, parsed);
  EXPECT_EQ(client_spec_json(parsed), json);
  EXPECT_EQ(Json::parse(json).at("format_version"), kClientSpecVersion);
}

// Versions 1 and 2 had no checksum: refused by their number.
TEST(ClientSpec, OlderVersionsAreRefused) {
  Json doc = Json::parse(client_spec_json(hand_filled_spec()));
  for (const int version : {1, 2}) {
    doc["format_version"] = version;
    EXPECT_NE(parse_error(doc).find("format_version " + std::to_string(version) +
                                    " unsupported, this build reads 3 (older specs carry no checksum"),
              std::string::npos);
  }
}

// Issue 14: a flipped digit of an output scale parsed to another spec, which decrypted outputs
// into other logits. The checksum names both digests.
TEST(ClientSpec, ContentThatDoesNotHashToTheChecksumIsRefused) {
  const ClientSpec spec = hand_filled_spec();
  const std::string text = client_spec_json(spec);
  EXPECT_EQ(Json::parse(text).at("checksum"), spec_digest(spec).hex());
  ClientSpec other = spec;
  other.output_scale.scale[0] = 0.2;
  const std::string flipped = client_spec_json(spec).replace(text.find("0.1,"), 4, "0.2,");
  try {
    parse_client_spec(flipped);
    ADD_FAILURE() << "a spec whose output scale was edited parsed";
  } catch (const FormatError& e) {
    EXPECT_NE(
        std::string(e.what()).find("client spec: checksum mismatch: the file says " + spec_digest(spec).short_hex() +
                                   ", its content hashes to " + spec_digest(other).short_hex()),
        std::string::npos)
        << e.what();
  }
  // Changes that keep the content (whitespace, the spelling of a number) are refused as well.
  EXPECT_NE(parse_error(Json::parse(text)).find("client spec: altered: byte 1 differs from the form this build writes"),
            std::string::npos);
  std::string respelt = text;
  respelt.replace(respelt.find("e-324"), 5, "E-324");
  EXPECT_THROW(parse_client_spec(respelt), FormatError);
}

TEST(ClientSpec, FileRoundTrip) {
  const std::filesystem::path dir = std::filesystem::path(VEIL_TEST_ARTIFACTS_DIR) / "client" / "client_spec";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  save_client_spec_file(hand_filled_spec(), dir / "spec.json");
  expect_same_spec(load_client_spec_file(dir / "spec.json"), hand_filled_spec());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
  EXPECT_THROW(load_client_spec_file(dir / "missing.json"), IoError);
  std::ofstream(dir / "broken.json") << "{\"format_version\": 1";
  try {
    load_client_spec_file(dir / "broken.json");
    ADD_FAILURE() << "a broken spec loaded";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.json"), std::string::npos) << e.what();
  }
}

TEST(ClientSpec, NonFiniteScalesAreNotWritten) {
  ClientSpec spec = hand_filled_spec();
  spec.output_scale.scale[1] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(client_spec_json(spec), InvalidArgument);
}

TEST(ClientSpec, EveryMissingOrMistypedFieldIsNamed) {
  const Json doc = Json::parse(client_spec_json(hand_filled_spec()));
  // Every field at both levels: missing, then replaced by a value of the wrong type.
  const auto check = [&](const std::string& name, const std::function<Json&(Json&)>& slot, const std::string& key) {
    Json missing = doc;
    slot(missing).erase(key);
    EXPECT_NE(parse_error(missing).find("field '" + name + "' is missing"), std::string::npos) << name;
    Json mistyped = doc;
    Json& value = slot(mistyped)[key];
    value = value.is_string() ? Json(5) : Json("5");
    EXPECT_NE(parse_error(mistyped).find("field '" + name + "'"), std::string::npos) << name;
  };
  for (const auto& [key, value] : doc.items()) {
    if (key == "format_version") continue;
    check(
        key, [](Json& d) -> Json& { return d; }, key);
    if (value.is_object()) {
      for (const auto& [inner, unused] : value.items()) {
        const std::string outer = key;
        check(
            key + "." + inner, [outer](Json& d) -> Json& { return d[outer]; }, inner);
      }
    }
  }
}

TEST(ClientSpec, BadValuesAndUnknownFieldsAreNamed) {
  const Json doc = Json::parse(client_spec_json(hand_filled_spec()));
  const auto error_with = [&](const std::function<void(Json&)>& edit) {
    Json edited = doc;
    edit(edited);
    return parse_error(edited);
  };
  const auto expect_message = [](const std::string& message, const std::string& part) {
    EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks '" << part << "'";
  };
  expect_message(error_with([](Json& d) { d["format_version"] = 4; }), "format_version 4 unsupported");
  expect_message(error_with([](Json& d) { d["checksum"] = std::string(64, 'G'); }), "field 'checksum' must be 64");
  expect_message(error_with([](Json& d) { d.erase("format_version"); }), "field 'format_version' is missing");
  expect_message(error_with([](Json& d) { d["colour"] = "blue"; }), "field 'colour' is unknown");
  expect_message(error_with([](Json& d) { d["output_scale"]["offset"] = 1; }),
                 "field 'output_scale.offset' is unknown");
  expect_message(error_with([](Json& d) { d["input_exponent"] = 64; }), "field 'input_exponent' = 64");
  expect_message(error_with([](Json& d) { d["output_bound"] = -1; }), "field 'output_bound' = -1");
  expect_message(error_with([](Json& d) { d["output_bound"] = 1.5; }), "field 'output_bound' = 1.5");
  expect_message(error_with([](Json& d) { d["input_quantization"]["q_max"] = -200; }),
                 "field 'input_quantization.q_max'");
  expect_message(error_with([](Json& d) { d["input_quantization"]["scale"] = 0; }), "field 'input_quantization.scale'");
  expect_message(error_with([](Json& d) { d["program_fingerprint"] = std::string(64, 'A'); }),
                 "field 'program_fingerprint'");
  expect_message(error_with([](Json& d) { d["parameter_sets"][1] = "no_such_set"; }),
                 "field 'parameter_sets' names no registered set");
  expect_message(error_with([](Json& d) { d["parameter_sets"] = Json::array(); }),
                 "field 'parameter_sets' must be a non-empty");
  expect_message(error_with([](Json& d) { d["parameter_sets"][1] = 7; }), "field 'parameter_sets' has entry 7");
  // Partitions' GLWE keys nest (docs/parameters.md): one k*N is one key with one sigma.
  expect_message(error_with([](Json& d) { d["parameter_sets"][1] = "opt128_p7_nrm300_pe0.05_k1N4096_concrete_v0"; }),
                 "but not its noise");
  expect_message(error_with([](Json& d) { d["parameter_sets"] = std::vector<std::string>(65, "insecure_toy_p6"); }),
                 "lists 65 sets");
  expect_message(error_with([](Json& d) { d["input_shape"] = Json::array(); }), "field 'input_shape'");
  expect_message(error_with([](Json& d) { d["input_shape"][1] = 0; }), "field 'input_shape' has dimension 0");
  expect_message(error_with([](Json& d) {
                   d["output_scale"]["zero_point"] = {1, 2};
                 }),
                 "field 'output_scale' has 2 entries");
  expect_message(error_with([](Json& d) { d["output_scale"]["zero_point"][0] = 9223372036854775808ull; }),
                 "field 'output_scale.zero_point' has entry 9223372036854775808");
  expect_message(error_with([](Json& d) { d = Json::array(); }), "must be a JSON object");
  try {
    parse_client_spec("{\"format_version\": 1,");
    ADD_FAILURE() << "truncated JSON parsed";
  } catch (const FormatError& e) {
    expect_message(e.what(), "not valid JSON");
  }
}

// Hostile specs (issue 14): shapes whose element count would wrap the payload limits, an
// endless file, and every truncation or flipped byte of a valid spec: a FormatError or a
// spec, never a crash or another exception.
TEST(ClientSpecHostile, ShapesOverTwoToThe31ElementsAreRefused) {
  Json doc = Json::parse(client_spec_json(hand_filled_spec()));
  doc["input_shape"] = {65536, 65536, 65536};
  EXPECT_NE(parse_error(doc).find("field 'input_shape' has more than 2^31 elements"), std::string::npos);
}

// Issue 14: a spec of 1 MB whose format_version was 500,000 nested arrays parsed (nlohmann's
// parser keeps its own stack), then the message naming the value dumped it recursively: SIGSEGV.
TEST(ClientSpecHostile, DeepNestingIsRefusedWhileParsing) {
  const std::size_t depth = 500'000;
  const std::string text = "{\"format_version\": " + std::string(depth, '[') + std::string(depth, ']') + "}";
  ASSERT_LE(text.size(), kMaxClientSpecBytes);
  try {
    parse_client_spec(text);
    FAIL() << "a nested spec parsed";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("client spec: not valid JSON: nested deeper than 64 levels"),
              std::string::npos)
        << e.what();
  }
}

TEST(ClientSpecHostile, EndlessSpecFileIsRefusedAtTheLimit) {
  try {
    load_client_spec_file("/dev/zero");
    FAIL() << "/dev/zero parsed";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(kMaxClientSpecBytes)), std::string::npos) << e.what();
  }
}

// Every flipped byte is a FormatError, even one that keeps the content (a digit of the
// smallest subnormal, 'e' -> 'E' in an exponent).
TEST(ClientSpecHostile, TruncationsAndFlippedBytesAreFormatErrors) {
  const std::string text = client_spec_json(hand_filled_spec());
  const std::size_t closing = text.rfind('}');
  for (std::size_t size = 0; size <= closing; ++size)  // a JSON object cut before its '}' never parses
    EXPECT_THROW(parse_client_spec(text.substr(0, size)), FormatError) << "cut at " << size;
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (const char mask : {char{0x01}, char{0x20}, char{0x7F}}) {
      std::string flipped = text;
      flipped[i] = static_cast<char>(flipped[i] ^ mask);
      EXPECT_THROW(parse_client_spec(flipped), FormatError) << "byte " << i << " flipped to '" << flipped[i] << "'";
    }
  }
}

TEST(ClientSpecHostile, LoadLimitsAreTheExactPayloadsOfTheSpecsObjects) {
  const ClientSpec spec = hand_filled_spec();
  const fhe::ParameterSet& params = fhe::parameter_set_by_name(spec.parameter_sets[0]);
  const std::vector<fhe::ParameterSet> sets{params, fhe::parameter_set_by_name(spec.parameter_sets[1])};
  const SpecLoadLimits limits = load_limits(spec);
  EXPECT_EQ(limits.input.max_payload_bytes, fhe::seeded_lwe_batch_payload_bytes(params, 3 * 8 * 8));
  EXPECT_EQ(limits.output.max_payload_bytes, fhe::ciphertext_batch_payload_bytes(params, fhe::LweKeyKind::big, 4));
  // The keys of both partitions.
  EXPECT_EQ(limits.client_key.max_payload_bytes, fhe::client_key_payload_bytes(sets));
  EXPECT_EQ(limits.server_key.max_payload_bytes, fhe::server_key_payload_bytes(sets));
  EXPECT_GT(limits.server_key.max_payload_bytes, fhe::server_key_payload_bytes(params));
  // Far below fhe's generic 64 GiB: a pipe declaring more is refused from its header.
  EXPECT_LT(limits.server_key.max_payload_bytes, fhe::LoadLimits{}.max_payload_bytes / 100);
}

}  // namespace
}  // namespace veil::client
