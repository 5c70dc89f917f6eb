// compile_options.json: exact round trips, older versions refused by number, bad fields named,
// and (issue 14) every flipped byte refused: the checksum covers the content, the one written form
// covers the rest.
#include "veil/runtime/compile_options_file.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "veil/common/error.hpp"

namespace veil::runtime {
namespace {

using Json = nlohmann::ordered_json;

const RecordedCompileOptions kOptions{std::string(64, 'a'), 123456, 0.0123456789, {"v0_p7_tight"}, {0, 0}, 7};

std::string parse_error(const std::string& text) {
  try {
    parse_compile_options(text);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

// The written file with one edit (its checksum then no longer holds: fields are named first).
std::string edited(const std::function<void(Json&)>& edit) {
  Json doc = Json::parse(compile_options_json(kOptions));
  edit(doc);
  return doc.dump(2) + "\n";
}

void expect_message(const std::string& text, const std::string& part) {
  EXPECT_NE(parse_error(text).find(part), std::string::npos) << parse_error(text) << "\nexpected: " << part;
}

TEST(CompileOptionsFile, RoundTripsExactly) {
  const RecordedCompileOptions back = parse_compile_options(compile_options_json(kOptions));
  EXPECT_EQ(back.program_fingerprint, kOptions.program_fingerprint);
  EXPECT_EQ(back.model_payload_bytes, kOptions.model_payload_bytes);
  EXPECT_EQ(back.p_error, kOptions.p_error);  // exactly: the server must compile the same program
  EXPECT_EQ(back.parameter_sets, kOptions.parameter_sets);
  EXPECT_EQ(back.site_partitions, kOptions.site_partitions);
  EXPECT_EQ(back.p_error_bits, 7);
  const compiler::CompileOptions compile = to_compile_options(back, fhe::AllowInsecure::no);
  EXPECT_EQ(compile.p_error, kOptions.p_error);
  EXPECT_EQ(compile.p_error_bits, 7);
  EXPECT_EQ(compile.parameter_set, kOptions.parameter_sets[0]);
  EXPECT_FALSE(compile.pinned_partitions);

  // Several sets pin the partitions; a program without PBS has no sites.
  const RecordedCompileOptions multi{std::string(64, 'b'), 7, 0.05, {"a", "b"}, {1, 0, 1}};
  const compiler::CompileOptions pinned =
      to_compile_options(parse_compile_options(compile_options_json(multi)), fhe::AllowInsecure::no);
  ASSERT_TRUE(pinned.pinned_partitions);
  EXPECT_FALSE(pinned.parameter_set);
  EXPECT_EQ(pinned.pinned_partitions->sets, multi.parameter_sets);
  EXPECT_EQ(pinned.pinned_partitions->site_partition, multi.site_partitions);
  const RecordedCompileOptions no_sites{std::string(64, 'c'), 7, 0.05, {"a"}, {}};
  EXPECT_TRUE(parse_compile_options(compile_options_json(no_sites)).site_partitions.empty());
}

// Versions 1 and 2 had no checksum, 3 no p_error_bits: refused by their number, saying what to do.
TEST(CompileOptionsFile, OlderVersionsAreRefused) {
  for (const int version : {1, 2, 3}) {
    expect_message(
        edited([&](Json& d) { d["format_version"] = version; }),
        "compile options: format_version " + std::to_string(version) +
            " unsupported, this build reads 4 (older files lack checksum or p_error_bits: compile the model again)");
  }
  expect_message(R"({"format_version": 1, "program_fingerprint": "f", "p_error": 0.1, "parameter_set": "x"})",
                 "format_version 1 unsupported");
  expect_message(edited([](Json& d) { d["format_version"] = 5; }), "format_version 5 unsupported, this build reads 4");
}

TEST(CompileOptionsFile, NamesBadFields) {
  expect_message("{", "not valid JSON");
  expect_message("[]", "must be a JSON object");
  expect_message(edited([](Json& d) { d.erase("program_fingerprint"); }), "field 'program_fingerprint' is missing");
  expect_message(edited([](Json& d) { d["program_fingerprint"] = "f"; }), "must be 64 lowercase hex digits");
  expect_message(edited([](Json& d) { d["p_error"] = "high"; }), "field 'p_error' must be a number");
  expect_message(edited([](Json& d) { d["p_error"] = 1.5; }), "expected a probability in (0, 1)");
  expect_message(edited([](Json& d) { d["site_partitions"] = {0, 1}; }), "field 'site_partitions' has partition 1");
  expect_message(edited([](Json& d) { d["parameter_sets"] = Json::array(); }), "'parameter_sets' must be a non-empty");
  // Numbers are checked before they are converted: 1e300 is not an integer, -1 not a size.
  expect_message(edited([](Json& d) { d["model_payload_bytes"] = 1e300; }), "field 'model_payload_bytes' = 1e+300");
  expect_message(edited([](Json& d) { d["model_payload_bytes"] = -1; }), "expected an integer in 1..4294967296");
  expect_message(edited([](Json& d) { d["format_version"] = 3.5; }), "field 'format_version' = 3.5");
  expect_message(edited([](Json& d) { d["p_error_bits"] = 63; }), "field 'p_error_bits' = 63");
  expect_message(edited([](Json& d) { d["extra"] = 1; }), "field 'extra' is unknown");
  // Issue 14: named in a message, a value nested 500,000 deep overflowed the stack.
  expect_message("{\"format_version\": " + std::string(500'000, '[') + std::string(500'000, ']') + "}",
                 "not valid JSON: nested deeper than 64 levels");
}

// Issue 14: a flipped p_error digit recompiled another program, silently. Now the checksum names
// both digests, and changes that keep the content (whitespace, the spelling of a number, the
// order of fields) are refused as another form.
TEST(CompileOptionsFile, EveryFlippedByteIsRefused) {
  const std::string text = compile_options_json(kOptions);
  RecordedCompileOptions other = kOptions;
  other.p_error = 0.0123456788;
  std::string edited_digit = text;
  edited_digit.replace(text.find("0.0123456789"), 12, "0.0123456788");
  expect_message(edited_digit,
                 "compile options: checksum mismatch: the file says " +
                     Json::parse(text).at("checksum").get<std::string>().substr(0, 16) + ", its content hashes to " +
                     Json::parse(compile_options_json(other)).at("checksum").get<std::string>().substr(0, 16));
  expect_message(Json::parse(text).dump(4), "compile options: altered: byte 4 differs from the form this build writes");

  for (std::size_t i = 0; i < text.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = text;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      EXPECT_THROW(parse_compile_options(flipped), FormatError) << "byte " << i << " bit " << bit;
    }
  }
  for (std::size_t size = 0; size < text.size(); ++size)
    EXPECT_THROW(parse_compile_options(text.substr(0, size)), FormatError) << "cut at " << size;
}

}  // namespace
}  // namespace veil::runtime
