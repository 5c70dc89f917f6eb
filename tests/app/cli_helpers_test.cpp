// Small pieces of the command-line stages: the --use-gpu backend, the estimate line
// and byte sizes, text files and their sizes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <fstream>
#include <sstream>

#include "veil/app/flags/backend_flag.hpp"
#include "veil/app/report/fhe_report.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::app {
namespace {

// A near tie: the FHE run's top-1 differs from the one simulation reported but is the
// second most frequent of the extra simulated draws; the report says so, per image and overall.
TEST(FheReport, SimulatedDrawsShowANearTie) {
  FheStageResult result;
  FheImageResult image;
  image.fhe_top5 = {2, 730, 356, 882, 393};
  image.simulation_top5 = {730, 356, 2, 882, 134};
  image.clear_top5 = {2, 730, 356, 393, 248};
  image.draw_top1 = {{730, 35}, {2, 27}, {356, 2}};
  EXPECT_EQ(image.draws(), 64u);
  EXPECT_EQ(image.draws_with_fhe_top1(), 27u);
  std::ostringstream out;
  write_fhe_image(image, 1, out);
  EXPECT_NE(
      out.str().find("  Simulated again 64 times, top-1: 730 (35), 2 (27), 356 (2); the FHE run's top-1 2 in 27/64\n"),
      std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find("FHE top-5 equals the simulation's: no; top-1: no"), std::string::npos) << out.str();
  result.images = {image, image};
  result.images[1].draw_top1 = {{730, 64}};
  std::ostringstream summary;
  write_fhe_summary(result, summary);
  EXPECT_NE(summary.str().find("FHE top-1 among the simulated draws' top-1s: 1/2 image(s) (in 21% of all draws)"),
            std::string::npos)
      << summary.str();
}

TEST(BackendFlag, CpuByDefaultAndTheGpuOnlyWhereOneRunsNamingTheFlag) {
  ThreadPool pool(1);
  EXPECT_EQ(make_backend_for_flags(false, pool)->name(), fhe::make_cpu_backend(pool)->name());
  if (fhe::cuda_backend_available()) {
    EXPECT_NE(make_backend_for_flags(true, pool), nullptr);
  } else {
    try {
      make_backend_for_flags(true, pool);
      ADD_FAILURE() << "a CUDA backend without CUDA";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("--use-gpu: the CUDA backend is not available"), std::string::npos)
          << e.what();
    }
  }
}

// A crop's server rate (99 PBS/s) against its calibration (110): the full image's calibrated
// rate (100) is scaled by the same 0.9 in the summary.
TEST(FheReport, FullImageEstimateIsRescaledByTheCropsMeasuredRate) {
  FheStageResult result;
  result.pbs_per_second = 110;
  result.full_image_pbs = 2'899'456;
  result.full_image_pbs_per_second = 100;
  FheImageResult image;
  image.fhe_top5 = image.simulation_top5 = image.clear_top5 = {1, 2, 3, 4, 5};
  image.server.pbs = 15'616;
  image.server.seconds = 15'616 / 99.0;
  result.images = {image};
  std::ostringstream summary;
  write_fhe_summary(result, summary);
  EXPECT_NE(summary.str().find("  full image at this run's measured rate: estimated FHE time per image on this "
                               "machine: 2,899,456 PBS / 90.0 PBS/s = 8:56:56 (the calibration's estimate x 1.111)\n"),
            std::string::npos)
      << summary.str();
  result.full_image_pbs = 0;  // the run was the full image: nothing to rescale
  std::ostringstream full;
  write_fhe_summary(result, full);
  EXPECT_EQ(full.str().find("full image at this run's measured rate"), std::string::npos) << full.str();
}

TEST(FheReport, EstimateLineDividesPbsByRate) {
  EXPECT_EQ(estimate_line(59392, 94.1),
            "estimated FHE time per image on this machine: 59,392 PBS / 94.1 PBS/s = 0:10:31");
  EXPECT_EQ(estimate_line(6'000'000, 200),
            "estimated FHE time per image on this machine: 6,000,000 PBS / 200.0 PBS/s = 8:20:00");
}

TEST(Files, ReadsTextAndDescribesSizes) {
  const auto dir = std::filesystem::temp_directory_path() / ("veil_cli_files_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "a.json") << "second";
  std::ofstream(dir / "empty.json").flush();
  EXPECT_EQ(read_text_file(dir / "a.json"), "second");
  EXPECT_EQ(read_text_file(dir / "empty.json"), "");
  EXPECT_EQ(describe_file(dir / "a.json"), (dir / "a.json").string() + ": 6 B");
  EXPECT_NE(describe_file(dir / "missing.json").find("size unknown"), std::string::npos);
  EXPECT_THROW(read_text_file(dir / "missing.json"), IoError);
  std::filesystem::remove_all(dir);
}

// Output locations are checked before any work (issue 14): a path the step could not write
// fails with an IoError naming the flag, and the check leaves nothing behind.
TEST(OutputChecks, WritableLocationsPassAndLeaveNothing) {
  const auto dir = std::filesystem::temp_directory_path() / ("veil_output_checks_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  require_writable_file(dir / "out.slwe", "--out");
  require_writable_directory(dir / "new" / "deeper", "--out");
  require_writable_directory(dir, "--out");
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(OutputChecks, UnwritableLocationsAreIoErrorsNamingTheFlag) {
  const auto dir = std::filesystem::temp_directory_path() / ("veil_output_checks_bad_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "plain") << "x";
  const auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const IoError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  // /proc refuses new files even to root, for whom permission bits say nothing.
  EXPECT_NE(message([] { require_writable_file("/proc/veil-out.slwe", "--out"); }).find("--out"), std::string::npos);
  EXPECT_NE(message([] { require_writable_directory("/proc/veil-out/keys", "--output-dir"); }).find("--output-dir"),
            std::string::npos);
  EXPECT_NE(message([&] { require_writable_file(dir / "plain" / "out.slwe", "--out"); }).find("is not a folder"),
            std::string::npos);
  EXPECT_NE(message([&] { require_writable_directory(dir / "plain" / "keys", "--out"); }).find("is not a folder"),
            std::string::npos);
  EXPECT_NE(message([&] { require_writable_file(dir, "--out"); }).find("is a folder"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace veil::app
