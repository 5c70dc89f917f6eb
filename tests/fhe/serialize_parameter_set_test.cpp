// Parameter-set files: round trips of every registered set, registry validation, and
// exhaustive corruption (every truncation, every single-byte flip) of one file.
#include <gtest/gtest.h>

#include <bit>

#include "fhe/serialize_test_support.hpp"

namespace veil::fhe {
namespace {

using serialize_test::expect_every_byte_flip_rejected;
using serialize_test::expect_every_truncation_rejected;
using serialize_test::load_error;
using serialize_test::rechecksum;
using serialize_test::saved_bytes;

std::vector<const ParameterSet*> every_registered_set() {
  std::vector<const ParameterSet*> sets = all_vetted_parameter_sets();
  for (int p = 1; p <= 8; ++p) sets.push_back(&insecure_toy_parameter_set(p));
  return sets;
}

void expect_same_fields(const ParameterSet& a, const ParameterSet& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.security_bits, b.security_bits);
  EXPECT_EQ(a.precision_bits, b.precision_bits);
  EXPECT_EQ(a.log2_norm2, b.log2_norm2);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(a.target_p_error), std::bit_cast<std::uint64_t>(b.target_p_error));
  EXPECT_EQ(a.lwe_dimension, b.lwe_dimension);
  EXPECT_EQ(a.glwe_dimension, b.glwe_dimension);
  EXPECT_EQ(a.polynomial_size, b.polynomial_size);
  EXPECT_EQ(a.lwe_noise.std_dev, b.lwe_noise.std_dev);
  EXPECT_EQ(a.glwe_noise.std_dev, b.glwe_noise.std_dev);
  EXPECT_EQ(a.pbs_base_log, b.pbs_base_log);
  EXPECT_EQ(a.pbs_level, b.pbs_level);
  EXPECT_EQ(a.ks_base_log, b.ks_base_log);
  EXPECT_EQ(a.ks_level, b.ks_level);
  EXPECT_EQ(a.insecure_for_tests, b.insecure_for_tests);
}

const auto load = [](std::istream& in) { load_parameter_set(in); };

TEST(SerializeParameterSet, EveryRegisteredSetRoundTrips) {
  const auto sets = every_registered_set();
  ASSERT_FALSE(sets.empty());
  for (const ParameterSet* set : sets) {
    SCOPED_TRACE(set->name);
    std::istringstream in(saved_bytes([&](std::ostream& out) { save_parameter_set(*set, out); }));
    expect_same_fields(load_parameter_set(in), *set);
  }
}

TEST(SerializeParameterSet, HeaderIsLittleEndianAsDocumented) {
  const ParameterSet& set = insecure_toy_parameter_set(3);
  const std::string bytes = saved_bytes([&](std::ostream& out) { save_parameter_set(set, out); });
  EXPECT_EQ(bytes.substr(0, 8), "VEILPSET");
  EXPECT_EQ(bytes[8], static_cast<char>(kSerializationFormatVersion));
  EXPECT_EQ(bytes[9], 0);
  std::uint64_t payload = 0;
  for (int i = 0; i < 8; ++i) payload |= std::uint64_t{static_cast<unsigned char>(bytes[12 + i])} << (8 * i);
  EXPECT_EQ(payload, bytes.size() - 20 - 32);                         // header 20 bytes, checksum 32
  EXPECT_EQ(static_cast<unsigned char>(bytes[20]), set.name.size());  // name length, low byte first
  EXPECT_EQ(bytes.substr(22, set.name.size()), set.name);
}

TEST(SerializeParameterSet, SavingAnUnregisteredOrEditedSetIsRefused) {
  ParameterSet unknown = insecure_toy_parameter_set(3);
  unknown.name = "my_own_set";
  EXPECT_THROW(saved_bytes([&](std::ostream& out) { save_parameter_set(unknown, out); }), InvalidArgument);
  ParameterSet edited = insecure_toy_parameter_set(3);
  edited.lwe_dimension = LweDimension(edited.lwe_dimension.value + 1);
  try {
    saved_bytes([&](std::ostream& out) { save_parameter_set(edited, out); });
    ADD_FAILURE() << "saving an edited set succeeded";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("lwe_dimension"), std::string::npos) << e.what();
  }
}

class SerializeParameterSetCorruption : public ::testing::Test {
 protected:
  const ParameterSet& set_ = insecure_toy_parameter_set(3);
  const std::string bytes_ = saved_bytes([&](std::ostream& out) { save_parameter_set(set_, out); });

  std::string error_after(std::size_t offset, std::string_view replacement, bool fix_checksum) const {
    std::string corrupt = bytes_;
    corrupt.replace(offset, replacement.size(), replacement);
    if (fix_checksum) rechecksum(corrupt);
    return load_error(corrupt, load);
  }
};

TEST_F(SerializeParameterSetCorruption, EveryTruncationIsRejected) { expect_every_truncation_rejected(bytes_, load); }

TEST_F(SerializeParameterSetCorruption, EverySingleByteFlipIsRejected) {
  expect_every_byte_flip_rejected(bytes_, load);
}

TEST_F(SerializeParameterSetCorruption, EachHeaderFieldHasItsOwnMessage) {
  EXPECT_NE(error_after(0, "VEIX", false).find("bad magic"), std::string::npos);
  EXPECT_NE(error_after(4, "SKEY", false).find("object kind \"SKEY\" (server key), expected \"PSET\""),
            std::string::npos);
  EXPECT_NE(error_after(4, "ABCD", false).find("unknown kind"), std::string::npos);
  EXPECT_NE(error_after(8, std::string("\x02\x00", 2), false).find("format version 2 unsupported"), std::string::npos);
  EXPECT_NE(error_after(10, std::string("\x01\x00", 2), false).find("flags 1 unsupported"), std::string::npos);
  EXPECT_NE(error_after(12, std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8), false).find("exceeds the limit"),
            std::string::npos);
  EXPECT_NE(error_after(12, std::string("\x01\x00\x00\x00\x01\x00\x00\x00", 8), false).find("truncated"),
            std::string::npos);
}

TEST_F(SerializeParameterSetCorruption, NameAndFieldsAreCheckedAgainstTheRegistry) {
  // Byte 22 starts the name "insecure_toy_p3"; "insecure_toy_p9" is not registered.
  const std::size_t last_name_byte = 22 + set_.name.size() - 1;
  EXPECT_NE(error_after(last_name_byte, "9", true).find("unknown parameter set"), std::string::npos);
  // "insecure_toy_p4" is registered but its fields differ (N = 2^10 against 2^9).
  const std::string other = error_after(last_name_byte, "4", true);
  EXPECT_NE(other.find("parameter set 'insecure_toy_p4': stored"), std::string::npos) << other;
}

TEST_F(SerializeParameterSetCorruption, ChecksumMismatchIsNamed) {
  std::string corrupt = bytes_;
  corrupt.back() = static_cast<char>(corrupt.back() ^ 1);
  EXPECT_NE(load_error(corrupt, load).find("checksum mismatch"), std::string::npos);
}

TEST_F(SerializeParameterSetCorruption, LimitBelowThePayloadIsRejected) {
  std::istringstream in(bytes_);
  EXPECT_THROW(load_parameter_set(in, LoadLimits{.max_payload_bytes = 16}), FormatError);
}

}  // namespace
}  // namespace veil::fhe
