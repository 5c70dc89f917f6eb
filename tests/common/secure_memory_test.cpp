// secure_zero and the zeroing allocator behind secret keys (veil/common/secure_memory.hpp).
#include "veil/common/secure_memory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>

namespace veil {
namespace {

TEST(SecureMemory, SecureZeroClearsExactlyTheGivenBytes) {
  std::uint8_t bytes[64];
  std::fill(std::begin(bytes), std::end(bytes), std::uint8_t{0xA5});
  secure_zero(bytes + 8, 40);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(bytes[i], (i >= 8 && i < 48) ? 0 : 0xA5) << i;
  secure_zero(nullptr, 0);  // allowed: an empty vector's data()
}

// Growth moves the values through the allocator (each old block zeroed as it is freed).
TEST(SecureMemory, SecretVectorKeepsItsValuesAcrossGrowth) {
  SecretVector<std::uint64_t> bits;
  for (std::uint64_t i = 0; i < 1000; ++i) bits.push_back(i & 1);  // reallocates (old blocks zeroed)
  for (std::uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(bits[i], i & 1);
}

}  // namespace
}  // namespace veil
