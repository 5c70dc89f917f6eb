// SHA-256 against the FIPS 180-4 example digests, incrementally and at once, and hex_digits.
#include "veil/common/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace veil {
namespace {

TEST(Sha256, FipsExamples) {
  EXPECT_EQ(hex_digits(sha256({""})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex_digits(sha256({"abc"})), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex_digits(sha256({"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"})),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, PartsAndUpdatesHashTheirConcatenation) {
  Sha256 hash;
  hash.update(std::string_view("ab"));
  const Sha256Digest after_ab = hash.digest();  // digest() leaves the hash running
  hash.update(std::string_view("c"));
  EXPECT_EQ(hash.digest(), sha256({"abc"}));
  EXPECT_EQ(sha256({"a", "", "bc"}), sha256({"abc"}));
  EXPECT_EQ(after_ab, sha256({"ab"}));
}

TEST(HexDigits, TwoLowercaseDigitsPerByte) {
  const std::uint8_t bytes[] = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(hex_digits(bytes), "000fa5ff");
  EXPECT_EQ(hex_digits({}), "");
}

}  // namespace
}  // namespace veil
