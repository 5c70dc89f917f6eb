// Checkpoints crafted against the reader (issue 14): each is built here, a few KB at most,
// and must be refused with a FormatError, never crash or allocate what the file claims.
#include <gtest/gtest.h>

#include <limits>

#include "crafted_files.hpp"
#include "veil/common/error.hpp"
#include "veil/io/state_dict.hpp"

namespace veil::io {
namespace {

using testing::Bytes;
using testing::make_checkpoint;
using testing::one_tensor_pickle;

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

TEST(StateDictHostile, AMillionNestedTuplesAreFreedWithoutRecursion) {
  // None wrapped a million times in TUPLE1: about 1 KB deflated. Freeing it recursively
  // overflows the stack; the reader must refuse it (not a dict) and free it iteratively.
  Bytes pickle{0x80, 0x02, 'N'};
  pickle.insert(pickle.end(), 1'000'000, 0x85);
  pickle.push_back('.');
  const Bytes file = make_checkpoint(pickle, {}, /*deflate_pickle=*/true);
  EXPECT_LT(file.size(), 4096u);
  expect_format_error(file, "holds a tuple");
}

}  // namespace
}  // namespace veil::io
