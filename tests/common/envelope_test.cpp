// The one envelope and field reader of every veil file (the fhe formats' and the model file's
// own tests check their kinds): a sealed payload reads back, each header field has its own
// message, a kind is named only from the caller's list, and vectors read across chunk boundaries.
#include "veil/common/envelope.hpp"

#include <gtest/gtest.h>

#include <array>
#include <numeric>
#include <sstream>

#include "veil/common/error.hpp"

namespace veil {
namespace {

constexpr EnvelopeKind kTest{"TEST", "test object", 2, 3, "version 1 is too old"};
constexpr EnvelopeKind kOther{"OTHR", "other object", 1, 1};

std::string sealed(const EnvelopeKind& kind, std::uint16_t version, const std::string& payload) {
  std::ostringstream out(std::ios::binary);
  ByteWriter writer(out);
  write_envelope_header(writer, kind, payload.size(), version);
  writer.string(payload);
  writer.checksum();
  return std::move(out).str();
}

std::string error_of(const std::string& bytes, std::span<const EnvelopeKind> known = {}) {
  std::istringstream in(bytes, std::ios::binary);
  ByteReader reader(in, "test object");
  try {
    read_envelope_header(reader, kTest, 1000, known);
    reader.string(static_cast<std::size_t>(reader.bytes_left().value()), "payload");
    read_envelope_trailer(reader);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(loaded)";
}

TEST(Envelope, ASealedPayloadReadsBack) {
  const std::string bytes = sealed(kTest, 3, "payload");
  EXPECT_EQ(bytes.size(), kEnvelopeHeaderBytes + 7 + kEnvelopeChecksumBytes);
  EXPECT_EQ(bytes.substr(0, 8), envelope_start(kTest));
  std::istringstream in(bytes, std::ios::binary);
  ByteReader reader(in, "test object");
  EXPECT_EQ(read_envelope_header(reader, kTest, 7), 3);
  EXPECT_EQ(reader.string(7, "payload"), "payload");
  read_envelope_trailer(reader);
  EXPECT_EQ(error_of(sealed(kTest, 2, "")), "(loaded)");
}

TEST(Envelope, EachHeaderFieldHasItsOwnMessage) {
  const std::string good = sealed(kTest, 3, "payload");
  const auto edited = [&](std::size_t offset, std::string_view value) {
    return std::string(good).replace(offset, value.size(), value);
  };
  EXPECT_NE(error_of(edited(0, "VEI\n")).find("bad magic \"VEI\\x0a\""), std::string::npos);
  // A kind is named from the caller's list only.
  const std::array known{kTest, kOther};
  EXPECT_NE(error_of(sealed(kOther, 1, "")).find("object kind \"OTHR\", expected \"TEST\" (test object)"),
            std::string::npos);
  EXPECT_NE(error_of(sealed(kOther, 1, ""), known).find("object kind \"OTHR\" (other object), expected \"TEST\""),
            std::string::npos);
  EXPECT_NE(error_of(edited(4, "ABCD"), known).find("object kind \"ABCD\" (unknown kind)"), std::string::npos);
  EXPECT_NE(error_of(sealed(kTest, 1, ""))
                .find("format version 1 unsupported, this build reads versions 2..3 of a "
                      "test object (version 1 is too old)"),
            std::string::npos);
  EXPECT_NE(error_of(sealed(kTest, 4, ""))
                .find("format version 4 unsupported, this build reads versions 2..3 of a "
                      "test object"),
            std::string::npos);
  EXPECT_EQ(error_of(sealed(kTest, 4, "")).find("too old"), std::string::npos);
  EXPECT_NE(error_of(edited(10, std::string("\x01", 1))).find("flags 1 unsupported"), std::string::npos);
  EXPECT_NE(error_of(sealed(kTest, 3, std::string(1001, 'x'))).find("payload length 1001 exceeds the limit of 1000"),
            std::string::npos);
  EXPECT_NE(error_of(good.substr(0, good.size() - 1)).find("truncated: the header declares a payload of 7 bytes"),
            std::string::npos);
  std::string corrupt = good;
  corrupt[20] ^= 1;
  EXPECT_NE(error_of(corrupt).find("checksum mismatch"), std::string::npos);
}

TEST(ByteReader, VectorsReadAcrossChunksAndCountsMustFit) {
  std::vector<std::int64_t> values(300'000);  // 2.3 MiB: three chunks
  std::iota(values.begin(), values.end(), -150'000);
  std::ostringstream out(std::ios::binary);
  ByteWriter writer(out);
  writer.u64(values.size());
  writer.i64_array(values);
  std::istringstream in(std::move(out).str(), std::ios::binary);
  ByteReader reader(in, "test object");
  EXPECT_EQ(reader.i64_vector(reader.count("values", 8, values.size()), "values"), values);

  std::istringstream short_in(std::string("\x05\0\0\0\0\0\0\0", 8) + std::string(32, '\0'), std::ios::binary);
  ByteReader short_reader(short_in, "test object");
  try {
    short_reader.count("values", 8, 10);
    ADD_FAILURE() << "5 values of 8 bytes fit in 32";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("size mismatch: values declares 5 items of at least 8 bytes but only 32"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace veil
