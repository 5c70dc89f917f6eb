// The quantized stages on quant's small ResNet-like network: both modes run, the
// simulation at p_error 0 equals the clear run, batch size does not change simulated
// results, agreement counts (top-1 and logits) match the per-image results, the sweep evaluator follows
// Concrete ML's single-integer n_bits, and the report carries the seed's lines.
#include <gtest/gtest.h>

#include <sstream>

#include "veil/app/stages/quantized_stages.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::app {
namespace {

constexpr std::size_t kImages = 6, kClasses = 10;

struct Fixture {
  nn::Graph graph = nn::make_small_resnet(7);
  Tensor calibration = nn::make_small_images(4, 11);
  std::vector<LabelledImage> images;
  nn::Fp32EvaluationResult fp32;

  Fixture() {
    const Tensor batch = nn::make_small_images(kImages, 12);
    const std::size_t per_image = batch.data.size() / kImages;
    for (std::size_t i = 0; i < kImages; ++i) {
      LabelledImage item;
      item.key = "img" + std::to_string(i);
      item.label = static_cast<std::int64_t>(i % kClasses);
      item.image = Tensor({3, 20, 20});
      std::copy_n(batch.data.begin() + static_cast<std::ptrdiff_t>(i * per_image), per_image, item.image.data.begin());
      images.push_back(std::move(item));
    }
    nn::Fp32Executor executor(graph, 2);
    std::size_t next = 0;
    nn::evaluate_fp32(
        executor,
        [&](LabelledImage& item) {
          if (next == images.size()) return false;
          item = images[next++];
          return true;
        },
        {}, 4, {}, nullptr, fp32);
  }
};

QuantizedStagesSettings settings_with(double p_error, std::size_t batch_size) {
  QuantizedStagesSettings s;
  s.quantization.n_bits = {8, 8, 8, 8};
  s.reads.reference.p_error = s.reads.improved.p_error = p_error;
  s.simulation_seed = 5;
  s.batch_size = batch_size;
  s.threads = 2;
  return s;
}

std::vector<std::int64_t> top5_of(const nn::QuantizedStageResult& r) {
  std::vector<std::int64_t> out;
  for (const auto& image : r.images)
    for (const auto& p : image.top5) out.push_back(p.index);
  return out;
}

TEST(QuantizedStages, BothModesRunAndSimulationAtZeroErrorIsTheClearRun) {
  Fixture f;
  std::vector<QuantizedModeReport> reports;
  run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, settings_with(0.0, 4), {}, reports);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].name, "reference");
  EXPECT_EQ(reports[1].name, "improved");
  for (const auto& r : reports) {
    ASSERT_TRUE(r.simulated);
    EXPECT_EQ(r.clear.images.size(), kImages);
    EXPECT_EQ(top5_of(r.clear), top5_of(*r.simulated)) << r.name;
    EXPECT_EQ(r.simulated->simulation.misreads, 0u);
    EXPECT_EQ(r.simulated->simulation.pbs, r.pbs.total * kImages) << r.name;
    std::size_t hits = 0;
    for (std::size_t i = 0; i < kImages; ++i) hits += r.clear.images[i].top5[0].index == f.fp32.images[i].top5[0].index;
    EXPECT_EQ(r.clear.fp32_agreement_hits, hits);
    // The logit measure covers every image; at p_error 0 the simulation's logits are the clear run's.
    ASSERT_EQ(r.clear.fp32_logits.images(), kImages) << r.name;
    EXPECT_GT(r.clear.fp32_logits.mean_cosine(), 0.0) << r.name;
    EXPECT_LE(r.clear.fp32_logits.mean_cosine(), 1.0 + 1e-12) << r.name;
    EXPECT_EQ(r.simulated->fp32_logits.mean_cosine(), r.clear.fp32_logits.mean_cosine()) << r.name;
    EXPECT_EQ(r.simulated->fp32_logits.mean_relative_l2(), r.clear.fp32_logits.mean_relative_l2()) << r.name;
  }
  // The improved mode's free residual adds and cheaper max-pool need fewer PBS.
  EXPECT_LT(reports[1].pbs.total, reports[0].pbs.total);
  // Each mode quantizes with its own reads (mode_reads.hpp): 7 bits, and 10 under 7-bit noise
  // with bias correction.
  EXPECT_EQ(reports[0].config.rounding_bits, 7);
  EXPECT_EQ(reports[0].reads.p_error_bits, 0);
  EXPECT_FALSE(reports[0].config.bias_correction);
  EXPECT_EQ(reports[1].config.rounding_bits, 10);
  EXPECT_EQ(reports[1].reads.p_error_bits, 7);
  EXPECT_TRUE(reports[1].config.bias_correction);
}

TEST(QuantizedStages, SimulationDoesNotDependOnBatchSize) {
  Fixture f;
  QuantizedStagesSettings s = settings_with(0.05, 4);
  s.modes = {nn::quant::QuantizationMode::ReferenceCompatible};
  std::vector<QuantizedModeReport> batched, single;
  run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, s, {}, batched);
  s.batch_size = 1;
  run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, s, {}, single);
  EXPECT_EQ(top5_of(*batched[0].simulated), top5_of(*single[0].simulated));
  EXPECT_EQ(batched[0].simulated->simulation.misreads, single[0].simulated->simulation.misreads);
  EXPECT_GT(batched[0].simulated->simulation.misreads, 0u);
}

TEST(QuantizedStages, SweepCellUsesConcreteMlSingleIntegerNBits) {
  Fixture f;
  QuantizedStagesSettings s = settings_with(0.05, 4);
  s.simulate = false;
  s.modes = {nn::quant::QuantizationMode::ReferenceCompatible};
  s.quantization.n_bits = {5, 4, 4, 5};  // what Concrete ML makes of n_bits = 4: inputs and outputs get at least 5 bits
  s.reads.reference.rounding_bits = std::nullopt;
  std::vector<QuantizedModeReport> direct;
  run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, s, {}, direct);

  SweepCell cell;
  cell.n_bits = 4;
  make_sweep_cell_evaluator(f.graph, f.calibration, f.images, f.fp32, s, s.modes[0])(cell);
  EXPECT_EQ(cell.images, kImages);
  EXPECT_DOUBLE_EQ(cell.top1, direct[0].clear.accuracy.top1());
  EXPECT_DOUBLE_EQ(cell.top5, direct[0].clear.accuracy.top5());
  EXPECT_DOUBLE_EQ(cell.fp32_agreement, direct[0].clear.fp32_agreement());
}

TEST(QuantizedStages, RejectsMismatchedFp32Results) {
  Fixture f;
  QuantizedStagesSettings s = settings_with(0.0, 4);
  s.modes = {nn::quant::QuantizationMode::Improved};
  f.fp32.images.pop_back();
  std::vector<QuantizedModeReport> reports;
  EXPECT_THROW(run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, s, {}, reports), InvalidArgument);
}

TEST(QuantizedReport, HasTheSeedLinesSideBySideAndPerImageTop5) {
  Fixture f;
  std::vector<QuantizedModeReport> reports;
  run_quantized_stages(f.graph, f.calibration, f.images, f.fp32, settings_with(0.05, 4), {}, reports);
  std::ostringstream out;
  write_quantized_report(reports, f.fp32, false, 4, 10, out);
  const std::string text = out.str();
  for (const char* line :
       {"Quantized Model Accuracy of the FHEResNet18 on the images: ",
        "Quantized Model Top-5 Accuracy of the FHEResNet18 on the images: ",
        "FHE simulation Accuracy of the FHEResNet18 on the images: ",
        "FHE simulation Top-5 Accuracy of the FHEResNet18 on the images: ", "(NOT ImageNet accuracy",
        "== reference mode: 8/8/8/8 bits", "== improved mode", "Side by side (6 images", "PBS per image",
        "lookups misread", "Image 6 (img5, label 5)", "improved simulation top 5 labels: "})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  std::ostringstream official;
  write_quantized_report(reports, f.fp32, true, 4, 2, official);
  EXPECT_EQ(official.str().find("NOT ImageNet"), std::string::npos);
  EXPECT_EQ(official.str().find("Image 1 ("), std::string::npos);
}

}  // namespace
}  // namespace veil::app
