// Checkpoints crafted against the reader (issue 14): each is built here, a few KB at most,
// and must be refused with a FormatError, never crash or allocate what the file claims.
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <random>

#include "crafted_files.hpp"
#include "veil/common/error.hpp"
#include "veil/io/state_dict.hpp"

namespace veil::io {
namespace {

using testing::Bytes;
using testing::CraftedEntry;
using testing::deflated;
using testing::exit_code_under_memory_limit;
using testing::make_checkpoint;
using testing::make_zip;
using testing::one_tensor_pickle;
using testing::stored;

void expect_format_error(const Bytes& file, const std::string& phrase) {
  try {
    load_state_dict(file, "crafted");
    FAIL() << "the crafted checkpoint was accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
  }
}

TEST(StateDictHostile, CraftingHelperMakesALoadableCheckpoint) {
  const StateDict sd = load_state_dict(make_checkpoint(one_tensor_pickle(4, 1, {3}, {1}), {1, 2, 3, 4}), "crafted");
  EXPECT_EQ(sd.at("w").data, (std::vector<float>{2, 3, 4}));
}

TEST(StateDictHostile, OffsetNearInt64MaxIsRefused) {
  // offset + (size - 1) * stride wraps below the storage's end in int64 arithmetic.
  const std::int64_t offset = std::numeric_limits<std::int64_t>::max() - 1;
  expect_format_error(make_checkpoint(one_tensor_pickle(4, offset, {3}, {1}), {1, 2, 3, 4}), "overruns its storage");
}

TEST(StateDictHostile, NestedTuplesAreFreedWithoutRecursion) {
  // None wrapped 250,000 times in TUPLE1 (a million are past the 2^18 values a pickle may make):
  // under 1 KB deflated. Freeing it recursively overflows the stack; the reader must refuse it
  // (not a dict) and free it without recursion.
  Bytes pickle;
  pickle.reserve(250'004);  // GCC 12 warns falsely (-Warray-bounds) on growing a 3-byte vector
  pickle.insert(pickle.end(), {0x80, 0x02, 'N'});
  pickle.resize(pickle.size() + 250'000, 0x85);
  pickle.push_back('.');
  const Bytes file = make_checkpoint(pickle, {}, /*deflate_pickle=*/true);
  EXPECT_LT(file.size(), 4096u);
  expect_format_error(file, "holds a tuple");
}

Bytes random_bytes(std::size_t n) {
  std::mt19937 gen(14);  // fixed: the bytes only need to be incompressible, not secret
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::uint8_t>(gen());
  return out;
}

// A checkpoint whose only storage is a deflated entry that claims `claimed` bytes from
// `compressed` bytes of garbage (within deflate's 1032:1 ratio, so the directory is plausible).
Bytes checkpoint_claiming(std::int64_t numel, std::uint64_t claimed, std::size_t compressed) {
  CraftedEntry storage = deflated("archive/data/0", {});
  storage.claimed_size = claimed;
  storage.compressed = random_bytes(compressed);
  storage.zip64_size = claimed >= 0xFFFFFFFFu;
  return make_zip({stored("archive/data.pkl", one_tensor_pickle(numel, 0, {1}, {1})),
                   stored("archive/byteorder", Bytes{'l', 'i', 't', 't', 'l', 'e'}), storage});
}

// Exit code 0: refused with a FormatError containing `phrase`; 1: accepted or another message.
int refused_saying(const Bytes& file, const std::string& phrase) {
  try {
    load_state_dict(file, "crafted");
    return 1;
  } catch (const FormatError& e) {
    return std::string(e.what()).find(phrase) == std::string::npos ? 2 : 0;
  }
}

constexpr std::uint64_t kMemoryCap = std::uint64_t{768} << 20;  // test binary + a few 100 MB

TEST(StateDictHostile, StorageClaimingFourGiBIsRefusedUnderAMemoryCap) {
  VEIL_SKIP_UNDER_ASAN();
  // 4.2 MB of deflated bytes claiming 2^32 (a ZIP64 size) for a storage of 2^30 float32.
  const Bytes file = checkpoint_claiming(std::int64_t{1} << 30, std::uint64_t{1} << 32, 4'200'000);
  EXPECT_EQ(exit_code_under_memory_limit(kMemoryCap, [&] { return refused_saying(file, "limit of"); }), 0);
}

TEST(StateDictHostile, ClaimedStorageSizeIsNotAllocatedBeforeTheDataBacksIt) {
  VEIL_SKIP_UNDER_ASAN();
  // 2^27 float32 (512 MiB, within the element limit) claimed by 600 KB of garbage: the reader
  // must find the garbage before it holds 512 MiB.
  const std::int64_t numel = std::int64_t{1} << 27;
  const Bytes file = checkpoint_claiming(numel, 4 * static_cast<std::uint64_t>(numel), 600'000);
  EXPECT_EQ(exit_code_under_memory_limit(std::uint64_t{256} << 20, [&] { return refused_saying(file, "inflate"); }), 0);
}

TEST(StateDictHostile, TooManyElementsForTheCallersLimitAreRefused) {
  const Bytes file = make_checkpoint(one_tensor_pickle(4, 0, {4}, {1}), {1, 2, 3, 4});
  CheckpointLimits limits;
  limits.max_elements = 3;
  try {
    load_state_dict(file, "crafted", limits);
    FAIL() << "accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("limit of 3 elements"), std::string::npos) << e.what();
  }
}

// Issue 14: a view with stride 0 repeats its storage, and views of one storage were not counted:
// one float made a tensor of 2^31 elements (8 GiB) from a 1 KB file. Tensors count on their own.
TEST(StateDictHostile, StrideZeroViewsCountAgainstTheElementLimit) {
  const Bytes file = make_checkpoint(one_tensor_pickle(1, 0, {16}, {0}), {1});
  CheckpointLimits limits;
  limits.max_elements = 8;
  try {
    load_state_dict(file, "crafted", limits);
    FAIL() << "accepted";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("has 16 elements, over the checkpoint's limit of 8 elements"),
              std::string::npos)
        << e.what();
  }
}

TEST(StateDictHostile, AnEightGiBViewOfOneFloatIsRefusedUnderAMemoryCap) {
  VEIL_SKIP_UNDER_ASAN();
  const Bytes file = make_checkpoint(one_tensor_pickle(1, 0, {std::int64_t{1} << 31}, {0}), {1});
  EXPECT_LT(file.size(), 1024u);
  EXPECT_EQ(exit_code_under_memory_limit(kMemoryCap, [&] { return refused_saying(file, "limit of"); }), 0);
}

// A deflated pickle of `repeats` copies of `unit` between PROTO 2 + EMPTY_LIST and STOP.
Bytes repeated_pickle_checkpoint(const Bytes& unit, std::size_t repeats) {
  Bytes pickle{0x80, 0x02, ']'};
  pickle.reserve(3 + unit.size() * repeats + 1);
  for (std::size_t i = 0; i < repeats; ++i) pickle.insert(pickle.end(), unit.begin(), unit.end());
  pickle.push_back('.');
  return make_checkpoint(pickle, {}, /*deflate_pickle=*/true);
}

// Issue 14 (the checkpoint fuzzer's leak report): a list appended to itself through the memo
// (EMPTY_LIST, BINPUT 0, BINGET 0, APPEND) was a reference cycle the unpickler's shared values
// never freed. 100,000 of them leaked ~25 MB per load; 40 loads stay under the cap only if
// each load frees its values.
TEST(StateDictHostile, SelfReferencingListsAreFreed) {
  VEIL_SKIP_UNDER_ASAN();  // LeakSanitizer reports the same leak there
  const Bytes file = repeated_pickle_checkpoint({']', 'q', 0, 'h', 0, 'a', 'a'}, 100'000);
  EXPECT_LT(file.size(), 8192u);
  EXPECT_EQ(exit_code_under_memory_limit(kMemoryCap,
                                         [&] {
                                           for (int i = 0; i < 40; ++i) {
                                             if (refused_saying(file, "holds a list") != 0) return 1;
                                           }
                                           return 0;
                                         }),
            0);
}

// Issue 14: 8 KB of deflated pickle appending 4 M empty tuples to a list made 4 M values (~1 GB);
// a pickle may make at most 2^18 values.
TEST(StateDictHostile, ValueCountIsBounded) {
  const Bytes file = repeated_pickle_checkpoint({')', 'a'}, std::size_t{1} << 22);
  EXPECT_LT(file.size(), 16384u);
  expect_format_error(file, "more than 262144 values");
}

TEST(StateDictHostile, NonSeekableStreamIsReadOnlyUpToTheLimit) {
  std::ifstream zero("/dev/zero", std::ios::binary);
  ASSERT_TRUE(zero);
  CheckpointLimits limits;
  limits.max_elements = 1 << 10;
  limits.max_pickle_bytes = 1 << 10;
  EXPECT_THROW(load_state_dict(zero, "/dev/zero", limits), FormatError);
  EXPECT_THROW(load_state_dict(std::filesystem::path("/dev/zero"), limits), FormatError);
}

}  // namespace
}  // namespace veil::io
