// Loading a labelled image set into memory: limits, parallel preparation, and skipping
// items that are damaged, misshapen or mislabelled without counting them.
#include <gtest/gtest.h>

#include <memory>

#include "veil/common/error.hpp"
#include "veil/nn/fp32_evaluation.hpp"

namespace veil::nn {
namespace {

// Item k has payload {k}; items 1 (damaged), 3 (bad label) and 4 (payload 255: prepared
// to a wrong shape) are unusable.
ImageSource numbered_source(std::size_t count) {
  auto next = std::make_shared<std::size_t>(0);
  return [=](LabelledImage& item) {
    if (*next == count) return false;
    const std::size_t k = (*next)++;
    item.key = "img" + std::to_string(k);
    item.label = k == 3 ? 12 : static_cast<std::int64_t>(k % 4);
    item.encoded = {static_cast<std::uint8_t>(k == 4 ? 255 : k)};
    if (k == 1) item.error = "corrupt";
    return true;
  };
}

void prepare(LabelledImage& item) {
  const float v = item.encoded.at(0);
  item.image = v == 255 ? Tensor({3}) : Tensor({2}, {v, -v});
}

TEST(LabelledImages, KeepsUsableItemsUpToTheLimit) {
  std::vector<LabelledImage> images;
  std::vector<std::string> skipped;
  load_labelled_images(numbered_source(9), prepare, {2}, 4, 3, 2, nullptr, images, skipped);
  ASSERT_EQ(images.size(), 3u);
  EXPECT_EQ(images[0].key, "img0");
  EXPECT_EQ(images[1].key, "img2");
  EXPECT_EQ(images[2].key, "img5");
  EXPECT_FLOAT_EQ(images[2].image.data[1], -5.0f);
  EXPECT_TRUE(images[2].encoded.empty());
  ASSERT_EQ(skipped.size(), 3u);
  EXPECT_EQ(skipped[0], "img1: corrupt");
  EXPECT_NE(skipped[1].find("img3: label 12, expected in [0, 4)"), std::string::npos) << skipped[1];
  EXPECT_NE(skipped[2].find("img4: image of shape"), std::string::npos) << skipped[2];
}

TEST(LabelledImages, ContinuesWhereTheSourceStoppedAndReadsToTheEnd) {
  const ImageSource source = numbered_source(9);
  std::vector<LabelledImage> first, rest;
  std::vector<std::string> skipped;
  load_labelled_images(source, prepare, {2}, 4, 2, 1, nullptr, first, skipped);
  load_labelled_images(source, prepare, {2}, 4, 0, 2, nullptr, rest, skipped);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(rest.size(), 4u);  // img5..img8
  EXPECT_EQ(rest.front().key, "img5");
  EXPECT_EQ(rest.back().key, "img8");
}

TEST(LabelledImages, RejectsZeroThreads) {
  std::vector<LabelledImage> images;
  std::vector<std::string> skipped;
  EXPECT_THROW(load_labelled_images(numbered_source(1), prepare, {2}, 4, 0, 0, nullptr, images, skipped),
               InvalidArgument);
}

}  // namespace
}  // namespace veil::nn
