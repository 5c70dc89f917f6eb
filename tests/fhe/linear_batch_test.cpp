// The CPU backend's linear_batch against the batch's definition evaluated term by term, on
// convolution-like rows (groups of more than the 64 outputs it computes together, odd ciphertext
// sizes for the masked tails, weights that wrap modulo 2^64) and element-wise rows (groups of one
// output, some without terms); malformed batches are refused with nothing written.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "engine_test_keys.hpp"
#include "linear_batch_cases.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::fhe {
namespace {

using testing::LinearCase;

void expect_equal(const LweCiphertextArray& expected, const LweCiphertextArray& actual, const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(std::ranges::equal(expected[i], actual[i])) << what << ": output " << i;
  }
}

TEST(LinearBatchCpu, ConvLikeRowsEqualTheDefinition) {
  for (const std::size_t n : {512u, 577u}) {  // sizes 513 and 578: masked tails of 1 and 2 values
    for (const std::uint32_t channels_out : {1u, 5u, 70u}) {
      const LinearCase c = testing::conv_like_case(n + channels_out, LweDimension(n), 7, 3, channels_out);
      LweCiphertextArray out = testing::poisoned_outputs(c);
      linear_batch(c.batch, out, testing::test_thread_pool());
      expect_equal(testing::linear_batch_by_definition(c), out,
                   "n = " + std::to_string(n) + ", " + std::to_string(channels_out) + " channels");
    }
  }
}

TEST(LinearBatchCpu, ElementwiseRowsEqualTheDefinition) {
  for (const std::uint32_t most_terms : {1u, 2u, 9u}) {
    const LinearCase c = testing::elementwise_case(most_terms, LweDimension(300), 150, most_terms);
    LweCiphertextArray out = testing::poisoned_outputs(c);
    linear_batch(c.batch, out, testing::test_thread_pool());
    expect_equal(testing::linear_batch_by_definition(c), out, std::to_string(most_terms) + " terms at most");
  }
}

TEST(LinearBatchCpu, RejectsMalformedBatchesWithoutWriting) {
  const auto expect_refused = [](const std::function<void(LinearCase&)>& spoil, const std::string& message) {
    LinearCase c = testing::conv_like_case(3, LweDimension(64), 4, 2, 3);
    spoil(c);
    LweCiphertextArray out = testing::poisoned_outputs(c);
    const LweCiphertextArray before = out;
    try {
      linear_batch(c.batch, out, testing::test_thread_pool());
      ADD_FAILURE() << "accepted: " << message;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
    EXPECT_TRUE(std::ranges::equal(before.data(), out.data())) << message;
  };
  expect_refused([](LinearCase& c) { c.batch.sources.push_back(nullptr); }, "a source is null");
  LweCiphertextArray other(1, LweDimension(65));
  expect_refused([&](LinearCase& c) { c.batch.sources.push_back(&other); }, "not of the outputs' dimension 64");
  expect_refused([](LinearCase& c) { c.batch.weights.pop_back(); }, "whole rows");
  expect_refused([](LinearCase& c) { c.batch.columns = 0; }, "whole rows");
  expect_refused([](LinearCase& c) { c.batch.term_input[5] = 24; }, "reads input 24 of 24");
  expect_refused([](LinearCase& c) { c.batch.term_column[0] = 18; }, "column 18 of 18");
  expect_refused([](LinearCase& c) { c.batch.output_row[2] = 3; }, "has row 3 of 3");
  expect_refused([](LinearCase& c) { c.batch.output_index[1] = c.batch.output_index[0]; }, "each written once");
  expect_refused([](LinearCase& c) { c.batch.output_index[1] = 12; }, "ciphertext 12 of 12");
  expect_refused([](LinearCase& c) { std::swap(c.batch.group_terms[1], c.batch.group_terms[2]); }, "group offsets");
  expect_refused([](LinearCase& c) { c.batch.group_outputs.back() -= 1; }, "group offsets");
  expect_refused([](LinearCase& c) { c.batch.output_constant.pop_back(); }, "group offsets");
  expect_refused(
      [](LinearCase& c) {
        c.batch.output_index.pop_back();
        c.batch.output_row.pop_back();
        c.batch.output_constant.pop_back();
        c.batch.group_outputs.back() -= 1;
      },
      "every ciphertext must be written");
}

}  // namespace
}  // namespace veil::fhe
