// resnet18_fhe's FHE stage through its library entry point, on the small network and a toy
// set (every PBS errs with probability <= 2^-40): real FHE must equal the noise-free run and
// the simulation, and the report must carry the seed's lines, the estimate and the summary.
// Also the hook that compiles each mode's circuit for the simulated stage.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "app/cli_test_network.hpp"
#include "veil/app/report/fhe_report.hpp"
#include "veil/app/stages/fhe_stage.hpp"
#include "veil/app/stages/quantized_stages.hpp"
#include "veil/app/stages/resnet18_fhe_flow.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/compile_float_graph.hpp"

namespace veil::app {
namespace {

using namespace testing;

FheStageSettings toy_settings() {
  FheStageSettings settings;
  settings.threads = 2;
  settings.allow = fhe::AllowInsecure::for_tests;
  settings.insecure_seed_for_tests = 17;
  settings.rate_pbs = 8;
  return settings;
}

std::vector<LabelledImage> images(std::int64_t n) {
  std::vector<LabelledImage> out(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    out[static_cast<std::size_t>(i)].key = "img" + std::to_string(i);
    out[static_cast<std::size_t>(i)].label = 3;
    out[static_cast<std::size_t>(i)].image = test_image(i);
  }
  return out;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(FheStage, RealFheEqualsNoiseFreeRunAndSimulation) {
  const compiler::FheProgram& program = test_program();
  std::ostringstream out, progress;
  FheStageSettings settings = toy_settings();
  settings.progress = &progress;
  FheStageResult result;
  // The program stands in for its own full-size version: the full-image estimate comes first.
  run_fhe_stage(program, &program, images(1), settings, out, result);

  ASSERT_EQ(result.images.size(), 1u);
  for (const FheImageResult& image : result.images) {
    EXPECT_EQ(image.fhe_top5, image.clear_top5) << image.key;
    EXPECT_TRUE(image.top5_equal()) << image.key;
    EXPECT_TRUE(image.top1_equal()) << image.key;
    EXPECT_EQ(image.outputs_off_clear, 0u) << image.key;
    EXPECT_EQ(image.server.pbs, result.statistics.pbs);
    EXPECT_GT(image.server.peak_resident_bytes, 0u);
    EXPECT_EQ(image.label, 3);
    // Every extra simulated draw agrees too: the toy set never misreads.
    EXPECT_EQ(image.draws(), settings.simulation_draws) << image.key;
    EXPECT_EQ(image.draws_with_fhe_top1(), image.draws()) << image.key;
    ASSERT_EQ(image.draw_top1.size(), 1u) << image.key;
    EXPECT_EQ(image.draw_top1[0].first, image.fhe_top5.front()) << image.key;
  }
  EXPECT_NE(result.images[0].fhe_top5, std::vector<std::int64_t>{});
  EXPECT_EQ(result.statistics.parameter_set, "insecure_toy_p6");
  EXPECT_GT(result.pbs_per_second, 0.0);
  EXPECT_GT(result.peak_rss_bytes, 0u);

  const std::string text = out.str();
  const std::string side = std::to_string(kImageSize) + "x" + std::to_string(kImageSize);
  const auto full = text.find("Full " + side + " image: estimated FHE time per image on this machine: ");
  const auto run = text.find("This run (" + side + " crop): estimated FHE time per image on this machine: ");
  const auto first_image = text.find("Image 1 (img0, label 3):");
  ASSERT_NE(full, std::string::npos) << text;
  ASSERT_NE(run, std::string::npos) << text;
  ASSERT_NE(first_image, std::string::npos) << text;
  EXPECT_LT(full, first_image);  // the estimates come before the first run
  EXPECT_LT(run, first_image);
  for (const char* line :
       {"Key generation took", "PBS rate on this machine:", "Processing 1 image(s)...", "Running FHE execution...",
        "FHE execution completed in", "FHE top 5 labels: ", "  Running simulation...\n  Simulation top 5 labels: ",
        "Image 1: FHE top-5 equals the simulation's: yes; top-1: yes",
        "FHE top-5 equal to the simulation's: 1/1 image(s); top-1: 1/1", "mean time per image:",
        "full image at this run's measured rate: estimated FHE time per image", "  Simulated again 64 times, top-1: ",
        "FHE top-1 among the simulated draws' top-1s: 1/1 image(s) (in 100% of all draws)",
        "peak resident ciphertext memory (server):", "process peak RSS:"})
    EXPECT_TRUE(has(text, line)) << line << "\n" << text;
  EXPECT_TRUE(has(progress.str(), " PBS/s")) << progress.str();

  const std::string csv = fhe_layers_csv(result, program);
  EXPECT_EQ(csv.rfind("image,node,op,pbs,seconds,pbs_per_second\n", 0), 0u);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), 1 + program.circuit.nodes.size());
  EXPECT_TRUE(has(csv, "img0,")) << csv;
  EXPECT_TRUE(has(csv, ",Lookup,")) << csv;
}

// The test network on two toy partitions pinned site by site.
compiler::FheProgram partitioned_program(const std::vector<std::string>& sets) {
  compiler::CompileOptions options = test_compile_options();
  options.parameter_set.reset();
  compiler::PinnedPartitions pinned{sets, {}};
  for (std::size_t i = 0; i < test_program().pbs_sites.size(); ++i) {
    pinned.site_partition.push_back(static_cast<int>(i % sets.size()));
  }
  options.pinned_partitions = pinned;
  ThreadPool pool(2);
  return compiler::compile_float_graph(test_graph(), test_calibration(), test_config(), options, pool);
}

// A multi-parameter program runs exactly in the stage, and the estimate calibrates every
// partition's set: the run's own keys for its sets, throw-away keys for a set only the full
// image's program has.
TEST(FheStage, MultiParameterProgramRunsAndCalibratesEverySet) {
  const compiler::FheProgram program = partitioned_program({"insecure_toy_p6", "insecure_toy_p6_n192"});
  const compiler::FheProgram full = partitioned_program({"insecure_toy_p6", "insecure_toy_p6_n224"});
  std::ostringstream out;
  FheStageResult result;
  run_fhe_stage(program, &full, images(1), toy_settings(), out, result);
  ASSERT_EQ(result.images.size(), 1u);
  EXPECT_EQ(result.images[0].outputs_off_clear, 0u);
  const std::string text = out.str();
  EXPECT_TRUE(has(text, "over 2 parameter sets")) << text;
  for (const char* set : {"  insecure_toy_p6: ", "  insecure_toy_p6_n192: "}) EXPECT_TRUE(has(text, set)) << text;
  EXPECT_TRUE(has(text, "Full 4x4 image: ")) << text;
  EXPECT_GT(result.pbs_per_second, 0.0);
}

TEST(FheStage, RejectsImagesOfAnotherShapeBeforeAnyKey) {
  std::vector<LabelledImage> wrong = images(1);
  wrong[0].image = Tensor({3, 16, 16});
  std::ostringstream out;
  FheStageResult result;
  try {
    run_fhe_stage(test_program(), nullptr, wrong, toy_settings(), out, result);
    FAIL() << "accepted a 16x16 image";
  } catch (const InvalidArgument& e) {
    EXPECT_TRUE(has(e.what(), "[3, 16, 16]")) << e.what();
  }
  EXPECT_THROW(run_fhe_stage(test_program(), nullptr, {}, toy_settings(), out, result), InvalidArgument);
  EXPECT_EQ(out.str(), "");
}

// The simulated stage draws at the compiled program's per-node rates and keeps the FHE
// mode's program.
TEST(ModeCompilerHook, SimulatedStageUsesCompiledErrorProbabilities) {
  ModeCompiler compiler(test_compile_options(), test_reads(), nn::quant::QuantizationMode::ReferenceCompatible,
                        nullptr);
  EXPECT_THROW(compiler.fhe_program(), InvalidArgument);
  app::QuantizedStagesSettings settings;
  settings.modes = {nn::quant::QuantizationMode::ReferenceCompatible};
  settings.quantization = test_config();
  settings.reads = test_reads();
  settings.threads = 2;
  settings.compiled_simulation = [&compiler](auto mode, const auto& circuit, auto& simulation) {
    compiler.compile(mode, circuit, simulation);
  };
  std::vector<LabelledImage> items = images(2);
  nn::Fp32EvaluationResult fp32;
  fp32.images.resize(items.size());
  std::vector<app::QuantizedModeReport> reports;
  app::run_quantized_stages(test_graph(), test_calibration(), items, fp32, settings, {}, reports);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_TRUE(reports[0].compiled_p_errors);
  EXPECT_LE(reports[0].p_error, 0x1p-40);  // the largest per-node rate, not the 0.05 default
  ASSERT_TRUE(reports[0].simulated);
  EXPECT_EQ(reports[0].simulated->simulation.misreads, 0u);
  EXPECT_EQ(compiler.fhe_program().params.name, "insecure_toy_p6");
}

}  // namespace
}  // namespace veil::app
