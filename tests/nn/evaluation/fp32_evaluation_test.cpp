// The evaluation loop, on a tiny graph whose logits are the input itself
// (Input [4] -> Flatten is not needed: a Relu over non-negative scores passes them through).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "veil/nn/fp32_evaluation.hpp"

namespace veil::nn {
namespace {

Graph identity_classifier() {
  Graph g;
  const ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{4}});
  g.output = g.add({OpKind::Relu, "relu", {x}, NoAttrs{}, {}, {}});
  return g;
}

// Items whose "logits" rank class `top` first; one damaged item and one with a bad label.
ImageSource make_source(std::vector<int> tops, std::vector<int> labels) {
  auto i = std::make_shared<std::size_t>(0);
  return [=](LabelledImage& item) {
    if (*i == tops.size() + 2) return false;
    const std::size_t k = (*i)++;
    if (k == tops.size()) {
      item.key = "broken";
      item.error = "corrupt JPEG";
      return true;
    }
    if (k == tops.size() + 1) {
      item.key = "unlabelled";
      item.image = Tensor({4});
      item.label = 9;
      return true;
    }
    item.key = "img" + std::to_string(k);
    item.label = labels[k];
    item.image = Tensor({4}, {0.4f, 0.3f, 0.2f, 0.1f});
    item.image.data[static_cast<std::size_t>(tops[k])] = 1.0f;
    return true;
  };
}

TEST(Fp32Evaluation, CountsAccuracyAndSkipsBadItems) {
  Fp32Executor executor(identity_classifier(), 1);
  Fp32EvaluationResult result;
  std::vector<std::size_t> progress;
  // tops 0,1,2 with labels 0 (top-1 hit), 0 (top-5 hit), 3 (top-5 hit: 4 classes)
  evaluate_fp32(
      executor, make_source({0, 1, 2}, {0, 0, 3}), {}, 2, {"a", "b", "c", "d"},
      [&progress](std::size_t done) { progress.push_back(done); }, result);
  EXPECT_EQ(result.accuracy.images(), 3u);
  EXPECT_DOUBLE_EQ(result.accuracy.top1(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(result.accuracy.top5(), 1.0);
  ASSERT_EQ(result.skipped.size(), 2u);
  EXPECT_EQ(result.skipped[0], "broken: corrupt JPEG");
  EXPECT_NE(result.skipped[1].find("label 9"), std::string::npos);
  ASSERT_EQ(result.images.size(), 3u);
  EXPECT_EQ(result.images[1].top5[0].name, "b");
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.front(), 0u);
  EXPECT_EQ(progress.back(), 5u);  // classified and skipped items
}

TEST(Fp32Evaluation, PreparesPayloadsInParallelKeepingOrder) {
  Fp32Executor executor(identity_classifier(), 2);
  auto next = std::make_shared<std::size_t>(0);
  const ImageSource source = [next](LabelledImage& item) {
    if (*next == 7) return false;
    const std::size_t k = (*next)++;
    item.key = "img" + std::to_string(k);
    item.label = static_cast<std::int64_t>(k % 4);
    item.encoded = {static_cast<std::uint8_t>(k % 4)};  // the class to rank first
    return true;
  };
  const PrepareImage prepare = [](LabelledImage& item) {
    if (item.key == "img5") {
      item.error = "undecodable";
      return;
    }
    item.image = Tensor({4}, {0.1f, 0.1f, 0.1f, 0.1f});
    item.image.data[item.encoded.at(0)] = 1.0f;
  };
  Fp32EvaluationResult result;
  evaluate_fp32(executor, source, prepare, 3, {}, nullptr, result);
  ASSERT_EQ(result.images.size(), 6u);
  EXPECT_DOUBLE_EQ(result.accuracy.top1(), 1.0);
  EXPECT_EQ(result.images[5].key, "img6");
  EXPECT_EQ(result.skipped, std::vector<std::string>{"img5: undecodable"});
}

}  // namespace
}  // namespace veil::nn
