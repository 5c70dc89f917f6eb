// Top-k, softmax and accuracy counting on small hand-checked score vectors.
#include <gtest/gtest.h>

#include <cmath>

#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {
namespace {

TEST(Metrics, TopKOrdersLargestFirstAndBreaksTiesByIndex) {
  const std::vector<float> s{0.1f, 3.0f, -1.0f, 3.0f, 2.0f, 0.5f};
  EXPECT_EQ(make_top_k(s, 4), (std::vector<std::int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(make_top_k(s, 0), std::vector<std::int64_t>{});
  EXPECT_THROW(make_top_k(s, 7), InvalidArgument);
}

TEST(Metrics, SoftmaxIsStableAndNormalized) {
  const std::vector<float> logits{80.0f, 80.0f + std::log(3.0f)};  // exp(80) overflows float unless shifted
  std::vector<float> p(2);
  softmax(logits, p);
  EXPECT_NEAR(p[0], 0.25, 1e-6);
  EXPECT_NEAR(p[1], 0.75, 1e-6);
  std::vector<float> wrong(3);
  EXPECT_THROW(softmax(logits, wrong), InvalidArgument);
}

TEST(Metrics, PredictionsCarryNamesAndProbabilities) {
  const std::vector<float> logits{0.0f, 2.0f, 1.0f};
  const auto p = make_predictions(logits, {"cat", "dog", "fox"}, 2);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].index, 1);
  EXPECT_EQ(p[0].name, "dog");
  const double z = 1.0 + std::exp(2.0) + std::exp(1.0);
  EXPECT_NEAR(p[0].probability, std::exp(2.0) / z, 1e-6);
  EXPECT_EQ(p[1].name, "fox");
  EXPECT_TRUE(make_predictions(logits, {}, 1)[0].name.empty());
  EXPECT_THROW(make_predictions(logits, {"cat"}, 1), InvalidArgument);
}

TEST(Metrics, AccuracyCounterCountsTop1AndTop5) {
  std::vector<float> logits(10);
  for (int i = 0; i < 10; ++i) logits[static_cast<std::size_t>(i)] = static_cast<float>(i);  // top-5: 9..5
  AccuracyCounter acc;
  EXPECT_EQ(acc.top1(), 0.0);
  acc.add(logits, 9);  // top-1 hit
  acc.add(logits, 6);  // top-5 hit only
  acc.add(logits, 2);  // miss
  acc.add(logits, 5);  // top-5 hit only
  EXPECT_EQ(acc.images(), 4u);
  EXPECT_DOUBLE_EQ(acc.top1(), 0.25);
  EXPECT_DOUBLE_EQ(acc.top5(), 0.75);
  EXPECT_THROW(acc.add(logits, 10), InvalidArgument);
  EXPECT_THROW(acc.add(logits, -1), InvalidArgument);
}

TEST(Metrics, LogitAgreementAveragesCosineAndRelativeError) {
  LogitAgreement a;
  EXPECT_EQ(a.mean_cosine(), 0.0);
  const std::vector<float> reference{3.0f, 4.0f};     // |r| = 5
  a.add(std::vector<float>{6.0f, 8.0f}, reference);   // same direction, error |(3, 4)| = 5
  a.add(std::vector<float>{4.0f, -3.0f}, reference);  // orthogonal, error |(1, -7)| = sqrt(50)
  EXPECT_EQ(a.images(), 2u);
  EXPECT_NEAR(a.mean_cosine(), (1.0 + 0.0) / 2, 1e-12);
  EXPECT_NEAR(a.mean_relative_l2(), (1.0 + std::sqrt(50.0) / 5.0) / 2, 1e-12);
  a.add(std::vector<float>{0.0f, 0.0f}, reference);  // no direction: cosine 0, error 1
  EXPECT_NEAR(a.mean_cosine(), 1.0 / 3, 1e-12);
  EXPECT_THROW(a.add(std::vector<float>{1.0f}, reference), InvalidArgument);
  EXPECT_THROW(a.add(reference, std::vector<float>{0.0f, 0.0f}), InvalidArgument);
  EXPECT_EQ(a.images(), 3u);
}

}  // namespace
}  // namespace veil::nn
