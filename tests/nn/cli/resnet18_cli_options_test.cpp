// Parsing of resnet18_fhe's flags: values, both spellings, and every kind of rejection.
#include <gtest/gtest.h>

#include "veil/common/error.hpp"
#include "veil/nn/resnet18_cli.hpp"

namespace veil::nn {
namespace {

Resnet18CliOptions parse(std::vector<std::string> args) { return parse_resnet18_cli(args); }

std::string error_of(std::vector<std::string> args) {
  try {
    parse_resnet18_cli(args);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Resnet18Cli, ParsesValuesInBothForms) {
  const auto o = parse({"--weights", "w.pth", "--images=imgs", "--labels", "l.csv", "--num_images", "7",
                        "--threads=2", "--seed", "11", "--batch-size", "4", "--no-progress"});
  EXPECT_EQ(o.weights->string(), "w.pth");
  EXPECT_EQ(o.images->string(), "imgs");
  EXPECT_EQ(o.labels->string(), "l.csv");
  EXPECT_EQ(o.num_images, 7u);
  EXPECT_EQ(o.threads, 2u);
  EXPECT_EQ(*o.seed, 11u);
  EXPECT_EQ(o.batch_size, 4u);
  EXPECT_FALSE(o.progress);
  EXPECT_FALSE(o.help);
}

TEST(Resnet18Cli, DefaultsSelectEverything) {
  const auto o = parse({});
  EXPECT_FALSE(o.weights || o.images || o.dataset_cache_dir || o.seed);
  EXPECT_EQ(o.num_images, 0u);
  EXPECT_EQ(o.threads, 0u);
  EXPECT_TRUE(o.progress);
}

TEST(Resnet18Cli, HelpListsEveryFlag) {
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"-h"}).help);
  const std::string help = resnet18_cli_help("resnet18_fhe");
  for (const char* flag : {"--weights", "--images", "--labels", "--dataset-cache-dir", "--num-images", "--threads",
                           "--seed", "--batch-size", "--run-fhe", "--export-statistics", "--use-gpu",
                           "--run-experiment", "--n-bits", "--rounding-bits", "--p-error", "--help"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

TEST(Resnet18Cli, RejectsUnknownFlagsAndBadValues) {
  EXPECT_NE(error_of({"--bogus"}).find("unknown flag '--bogus'"), std::string::npos);
  EXPECT_NE(error_of({"positional"}).find("unexpected argument 'positional'"), std::string::npos);
  EXPECT_NE(error_of({"--num-images", "ten"}).find("'ten'"), std::string::npos);
  EXPECT_NE(error_of({"--num-images", "0"}).find("--num-images"), std::string::npos);
  EXPECT_NE(error_of({"--threads", "-2"}).find("--threads"), std::string::npos);
  EXPECT_NE(error_of({"--threads", "3x"}).find("'3x'"), std::string::npos);
  EXPECT_NE(error_of({"--weights"}).find("missing value"), std::string::npos);
  EXPECT_NE(error_of({"--weights="}).find("empty value"), std::string::npos);
  EXPECT_NE(error_of({"--no-progress=1"}).find("takes no value"), std::string::npos);
}

TEST(Resnet18Cli, RejectsConflictingDatasets) {
  EXPECT_NE(error_of({"--images", "d"}).find("--images needs --labels"), std::string::npos);
  EXPECT_NE(error_of({"--labels", "l"}).find("--labels needs --images"), std::string::npos);
  EXPECT_NE(error_of({"--images", "d", "--labels", "l", "--dataset-cache-dir", "c"}).find("give one"),
            std::string::npos);
}

TEST(Resnet18Cli, RefusesFheStageFlagsClearly) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--run-fhe"}, {"--run_fhe"}, {"--export-statistics"}, {"--use_gpu"},
        {"--run-experiment"}, {"--n-bits", "6"}, {"--rounding-bits=7"}, {"--p-error", "0.05"}}) {
    const std::string msg = error_of(args);
    EXPECT_NE(msg.find("not available yet in this build"), std::string::npos) << args[0] << ": " << msg;
  }
}

}  // namespace
}  // namespace veil::nn
