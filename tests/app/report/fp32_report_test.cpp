// The fp32 stage's report lines on a hand-made result of three images (tops 0, 1, 2; labels 0,
// 0, 3: one top-1 hit, three top-5 hits) and two skipped items.
#include <gtest/gtest.h>

#include <sstream>

#include "veil/app/report/fp32_report.hpp"

namespace veil::app {
namespace {

nn::Fp32EvaluationResult three_images() {
  nn::Fp32EvaluationResult result;
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  const std::vector<std::int64_t> labels = {0, 0, 3};
  for (std::size_t k = 0; k < labels.size(); ++k) {
    std::vector<float> row = {0.4f, 0.3f, 0.2f, 0.1f};
    row[k] = 1.0f;
    result.accuracy.add(row, labels[k]);
    result.images.push_back({"img" + std::to_string(k), labels[k], nn::make_predictions(row, names, 4), row});
  }
  result.skipped = {"broken: corrupt JPEG", "unlabelled: label 9, expected in [0, 4)"};
  return result;
}

TEST(Fp32Report, HasTheSeedLinesCaveatsSkippedItemsAndPerImageTop5) {
  const nn::Fp32EvaluationResult result = three_images();
  std::ostringstream report;
  write_fp32_report(result, {"synthetic.pth", "abc", false}, {"a", "b", "c", "d"}, 1, 2, 10, report);
  const std::string text = report.str();
  EXPECT_NE(text.find("Accuracy of the ResNet18 model on the images: 33.33% (NOT ImageNet accuracy"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Top-5 Accuracy of the ResNet18 model on the images: 100.00% (NOT ImageNet accuracy"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Image 2 (img1, label 0 a):\n  fp32 top 5 labels: 1, 0, 2, 3"), std::string::npos) << text;
  EXPECT_NE(text.find("Skipped 2 unusable item(s)"), std::string::npos);

  std::ostringstream official;
  write_fp32_report(result, {"resnet18-f37072fd.pth", "f370", true}, {}, 1, 2, 2, official);
  EXPECT_EQ(official.str().find("NOT ImageNet"), std::string::npos);
  EXPECT_EQ(official.str().find("Image 1"), std::string::npos);  // 3 images > limit 2
}

}  // namespace
}  // namespace veil::app
