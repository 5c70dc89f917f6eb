// The evaluation loop and its report, on a tiny graph whose logits are the input itself
// (Input [4] -> Flatten is not needed: a Relu over non-negative scores passes them through).
#include <gtest/gtest.h>

#include <sstream>

#include "veil/app/stages/fp32_evaluation.hpp"

namespace veil::app {
namespace {

nn::Graph identity_classifier() {
  nn::Graph g;
  const nn::ValueId x = g.add({nn::OpKind::Input, "input", {}, nn::NoAttrs{}, {}, Shape{4}});
  g.output = g.add({nn::OpKind::Relu, "relu", {x}, nn::NoAttrs{}, {}, {}});
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

TEST(Fp32Evaluation, CountsAccuracySkipsBadItemsAndReports) {
  nn::Fp32Executor executor(identity_classifier(), 1);
  Fp32EvaluationResult result;
  std::ostringstream bar_text;
  ProgressBar bar(bar_text, 5, "images", false);
  // tops 0,1,2 with labels 0 (top-1 hit), 0 (top-5 hit), 3 (top-5 hit: 4 classes)
  evaluate_fp32(executor, make_source({0, 1, 2}, {0, 0, 3}), {}, 2, {"a", "b", "c", "d"}, &bar, result);
  EXPECT_EQ(result.accuracy.images(), 3u);
  EXPECT_DOUBLE_EQ(result.accuracy.top1(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(result.accuracy.top5(), 1.0);
  ASSERT_EQ(result.skipped.size(), 2u);
  EXPECT_EQ(result.skipped[0], "broken: corrupt JPEG");
  EXPECT_NE(result.skipped[1].find("label 9"), std::string::npos);
  ASSERT_EQ(result.images.size(), 3u);
  EXPECT_EQ(result.images[1].top5[0].name, "b");
  EXPECT_NE(bar_text.str().find("5/5 images"), std::string::npos) << bar_text.str();

  std::ostringstream report;
  write_fp32_report(result, {"synthetic.pth", "abc", false}, {"a", "b", "c", "d"}, 1, 2, 10, report);
  const std::string text = report.str();
  EXPECT_NE(text.find("Accuracy of the ResNet18 model on the images: 33.33% (NOT ImageNet accuracy"),
            std::string::npos) << text;
  EXPECT_NE(text.find("Top-5 Accuracy of the ResNet18 model on the images: 100.00% (NOT ImageNet accuracy"),
            std::string::npos) << text;
  EXPECT_NE(text.find("Image 2 (img1, label 0 a):\n  fp32 top 5 labels: 1, 0, 2, 3"), std::string::npos) << text;
  EXPECT_NE(text.find("Skipped 2 unusable item(s)"), std::string::npos);

  std::ostringstream official;
  write_fp32_report(result, {"resnet18-f37072fd.pth", "f370", true}, {}, 1, 2, 2, official);
  EXPECT_EQ(official.str().find("NOT ImageNet"), std::string::npos);
  EXPECT_EQ(official.str().find("Image 1"), std::string::npos);  // 3 images > limit 2
}

TEST(Fp32Evaluation, PreparesPayloadsInParallelKeepingOrder) {
  nn::Fp32Executor executor(identity_classifier(), 2);
  auto next = std::make_shared<std::size_t>(0);
  const ImageSource source = [next](LabelledImage& item) {
    if (*next == 7) return false;
    const std::size_t k = (*next)++;
    item.key = "img" + std::to_string(k);
    item.label = static_cast<std::int64_t>(k % 4);
    item.payload = {static_cast<std::uint8_t>(k % 4)};  // the class to rank first
    return true;
  };
  const PrepareImage prepare = [](LabelledImage& item) {
    if (item.key == "img5") {
      item.error = "undecodable";
      return;
    }
    item.image = Tensor({4}, {0.1f, 0.1f, 0.1f, 0.1f});
    item.image.data[item.payload.at(0)] = 1.0f;
  };
  Fp32EvaluationResult result;
  evaluate_fp32(executor, source, prepare, 3, {}, nullptr, result);
  ASSERT_EQ(result.images.size(), 6u);
  EXPECT_DOUBLE_EQ(result.accuracy.top1(), 1.0);
  EXPECT_EQ(result.images[5].key, "img6");
  EXPECT_EQ(result.skipped, std::vector<std::string>{"img5: undecodable"});
}

TEST(ProgressBar, FormatsRateAndEta) {
  EXPECT_EQ(ProgressBar::format(50, 100, "images", 4.0),
            "[###############...............] 50/100 images  12.5 images/s  ETA 0:04");
  EXPECT_EQ(ProgressBar::format(100, 100, "images", 65.0),
            "[##############################] 100/100 images  1.5 images/s  elapsed 1:05");
  EXPECT_EQ(ProgressBar::format(0, 100, "images", 0.0).substr(33), "0/100 images  0.0 images/s  ETA --:--");
  EXPECT_EQ(ProgressBar::format(7, 0, "images", 2.0), "7 images  3.5 images/s  elapsed 0:02");
}

TEST(ProgressBar, ClockTimeShowsHoursFromAnHourOrWhenAsked) {
  EXPECT_EQ(format_clock_time(245.4), "4:05");
  EXPECT_EQ(format_clock_time(3723), "1:02:03");
  EXPECT_EQ(format_clock_time(631, true), "0:10:31");
  EXPECT_EQ(format_clock_time(0, true), "0:00:00");
}

TEST(Metrics, FormatCountGroupsThousands) {
  EXPECT_EQ(nn::format_count(0), "0");
  EXPECT_EQ(nn::format_count(999), "999");
  EXPECT_EQ(nn::format_count(1000), "1,000");
  EXPECT_EQ(nn::format_count(5971968), "5,971,968");
}

}  // namespace
}  // namespace veil::app
