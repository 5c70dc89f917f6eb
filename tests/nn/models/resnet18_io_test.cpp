// End to end with io: the synthetic checkpoint read by io's .pth reader and JPEGs decoded
// and preprocessed by io, against PyTorch (make_nn_fixtures.py). With the official
// torchvision weights present, the published dog.jpg top-5 and the val100 accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "nn/fixtures.hpp"
#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"
#include "veil/io/preprocess.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/io/weights.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/resnet18.hpp"

namespace veil::nn {
namespace {

constexpr std::int64_t kClasses = 1000;
// io reproduces PIL's fixed-point resize exactly, so inputs agree to float rounding and
// logits to the same bound as on torch's own input tensors.
constexpr double kTolerance = 1e-3;
constexpr double kTieTolerance = 1e-5;  // as in resnet18_pytorch_test.cpp

std::string path(const char* name) { return testing::artifacts_dir() + "/" + name; }

Tensor preprocess_file(const std::string& file) {
  Tensor t;
  io::preprocess_imagenet(io::make_image_from_file(file), io::PreprocessConfig{}, t);
  return t;
}

Fp32Executor folded_executor(const StateDict& sd) {
  Graph g = make_resnet18(sd);
  fold_batch_norm_inplace(g);
  return Fp32Executor(std::move(g), 2);
}

void expect_same_top5(std::span<const float> ours, std::span<const float> torch, const std::string& what) {
  const auto a = make_top_k(ours, 5), b = make_top_k(torch, 5);
  float scale = 0.0f;
  for (float v : torch) scale = std::max(scale, std::abs(v));
  for (std::size_t k = 0; k < 5; ++k)
    EXPECT_LE(std::abs(torch[static_cast<std::size_t>(a[k])] - torch[static_cast<std::size_t>(b[k])]),
              kTieTolerance * scale)
        << what << " rank " << k << ": ours " << a[k] << ", torch " << b[k];
}

TEST(Resnet18Io, PthReaderGivesTheFixtureTensors) {
  VEIL_REQUIRE_FILE(path("resnet18_synthetic.pth"));
  VEIL_REQUIRE_FILE(path("resnet18_synthetic.tensors"));
  const StateDict from_pth = io::load_state_dict(path("resnet18_synthetic.pth"));
  const StateDict raw = testing::read_raw_state_dict(path("resnet18_synthetic.tensors"));
  ASSERT_EQ(from_pth.size(), raw.size());
  for (const auto& [key, t] : raw) {
    ASSERT_TRUE(from_pth.count(key)) << key;
    EXPECT_EQ(from_pth.at(key).shape, t.shape) << key;
    EXPECT_EQ(from_pth.at(key).data, t.data) << key;
  }
}

TEST(Resnet18Io, JpegsThroughIoMatchPyTorch) {
  VEIL_REQUIRE_FILE(path("resnet18_synthetic.pth"));
  VEIL_REQUIRE_FILE(path("val100_files.txt"));
  const Tensor torch_logits = testing::read_f32(path("val100_logits.f32"), {100, kClasses});
  std::vector<std::string> files;
  std::ifstream list(path("val100_files.txt"));
  for (std::string f; std::getline(list, f);) files.push_back(f);
  ASSERT_EQ(files.size(), 100u);
  Fp32Executor executor = folded_executor(io::load_state_dict(path("resnet18_synthetic.pth")));
  constexpr std::size_t kBatch = 20;
  for (std::size_t first = 0; first < files.size(); first += kBatch) {
    Tensor batch({static_cast<std::int64_t>(kBatch), 3, 224, 224}), out;
    for (std::size_t i = 0; i < kBatch; ++i) {
      const Tensor image = preprocess_file(testing::shared_data_dir() + "/imagenet-val100/" + files[first + i]);
      std::copy(image.data.begin(), image.data.end(),
                batch.data.begin() + static_cast<std::ptrdiff_t>(i * image.data.size()));
    }
    executor.run(batch, out);
    for (std::size_t i = 0; i < kBatch; ++i) {
      const std::span<const float> ours(out.data.data() + i * kClasses, kClasses);
      const std::span<const float> torch(torch_logits.data.data() + (first + i) * kClasses, kClasses);
      EXPECT_LE(testing::relative_error(ours.data(), torch.data(), kClasses), kTolerance) << files[first + i];
      expect_same_top5(ours, torch, files[first + i]);
    }
  }
}

TEST(Resnet18Io, LargeDogImageThroughIoMatchesPyTorch) {
  VEIL_REQUIRE_FILE(path("dog_logits.f32"));
  const Tensor torch_logits = testing::read_f32(path("dog_logits.f32"), {1, kClasses});
  Fp32Executor executor = folded_executor(io::load_state_dict(path("resnet18_synthetic.pth")));
  Tensor image = preprocess_file(testing::shared_data_dir() + "/testvectors/dog.jpg"), out;
  image.shape.insert(image.shape.begin(), 1);
  executor.run(image, out);
  EXPECT_LE(testing::relative_error(out.data.data(), torch_logits.data.data(), kClasses), kTolerance);
  expect_same_top5(out.data, torch_logits.data, "dog.jpg");
}

// Needs resnet18-f37072fd.pth in the torch hub cache or the shared data folder.
TEST(Resnet18Official, PublishedDogTop5AndVal100Accuracy) {
  io::WeightsFile weights;
  try {
    weights = io::find_torchvision_weights(io::kResnet18WeightsFile, std::nullopt, {testing::shared_data_dir()});
  } catch (const IoError& e) {
    GTEST_SKIP() << "official weights absent: " << e.what();
  }
  ASSERT_TRUE(weights.official_verified) << weights.path << " sha256 " << weights.sha256;
  VEIL_REQUIRE_FILE(testing::shared_data_dir() + "/testvectors/dog.jpg");
  Fp32Executor executor = folded_executor(io::load_state_dict(weights.path));
  Tensor image = preprocess_file(testing::shared_data_dir() + "/testvectors/dog.jpg"), out;
  image.shape.insert(image.shape.begin(), 1);
  executor.run(image, out);
  // Published softmax top-5 with torchvision's preprocessing (shared/data/README.md).
  const std::pair<std::int64_t, float> published[] = {
      {258, 0.8846f}, {279, 0.0458f}, {270, 0.0443f}, {259, 0.0056f}, {257, 0.0047f}};
  const auto top = make_predictions(out.data, {}, 5);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(top[k].index, published[k].first) << "rank " << k;
    EXPECT_NEAR(top[k].probability, published[k].second, 1e-3) << "rank " << k;
  }

  auto dataset = io::make_folder_dataset(testing::shared_data_dir() + "/imagenet-val100",
                                         testing::shared_data_dir() + "/labels/xiaobozhao_val100.csv");
  AccuracyCounter accuracy;
  LabelledImage sample;
  while (dataset->next(sample)) {
    ASSERT_TRUE(io::prepare_image(sample, io::PreprocessConfig{})) << sample.error;
    Tensor x = std::move(sample.image);
    x.shape.insert(x.shape.begin(), 1);
    executor.run(x, out);
    accuracy.add(out.data, sample.label);
  }
  std::printf("official ResNet-18 fp32 on val100: top-1 %.2f%%, top-5 %.2f%% (%zu images)\n", 100.0 * accuracy.top1(),
              100.0 * accuracy.top5(), accuracy.images());
  EXPECT_EQ(accuracy.images(), 100u);
}

}  // namespace
}  // namespace veil::nn
