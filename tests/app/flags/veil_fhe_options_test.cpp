// veil_fhe's command line: each subcommand's flags, required flags, flags of other
// subcommands, bad values.
#include <gtest/gtest.h>

#include "veil/app/flags/veil_fhe_options.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

VeilFheOptions parse(std::vector<std::string> args) { return parse_veil_fhe_cli(args); }

std::string error_of(std::vector<std::string> args) {
  try {
    parse_veil_fhe_cli(args);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(VeilFheCli, ParsesEverySubcommand) {
  const auto c = parse({"compile",
                        "--weights",
                        "w.pth",
                        "--n-bits",
                        "6",
                        "--rounding_bits=5",
                        "--p-error",
                        "1e-3",
                        "--quant-mode",
                        "reference",
                        "--calibration-images",
                        "4",
                        "--crop",
                        "64",
                        "--out",
                        "m",
                        "--threads",
                        "2",
                        "--dataset-cache-dir",
                        "shards"});
  EXPECT_EQ(c.command, VeilFheCommand::compile);
  EXPECT_EQ(c.weights->string(), "w.pth");
  EXPECT_EQ(c.quantization.n_bits, (nn::quant::NBits{6, 6, 6, 6}));
  EXPECT_EQ(c.quantization.rounding_bits, 5);
  EXPECT_DOUBLE_EQ(c.compile.p_error, 1e-3);
  EXPECT_EQ(c.quantization.mode, nn::quant::QuantizationMode::ReferenceCompatible);
  EXPECT_EQ(c.calibration_images, 4u);
  EXPECT_EQ(c.crop, 64);
  EXPECT_EQ(c.out->string(), "m");
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.dataset_cache_dir->string(), "shards");
  EXPECT_EQ(parse({"compile", "--network", "small", "--out", "m"}).network, NetworkOption::small);

  const auto k = parse({"keygen", "--spec", "m/client_spec.json", "--out", "keys"});
  EXPECT_EQ(k.command, VeilFheCommand::keygen);
  EXPECT_EQ(k.spec->string(), "m/client_spec.json");

  const auto e = parse({"encrypt", "--spec", "s", "--client-key", "c", "--index", "3", "--out", "in.slwe"});
  EXPECT_EQ(e.command, VeilFheCommand::encrypt);
  EXPECT_EQ(*e.index, 3u);
  EXPECT_EQ(parse({"encrypt", "--spec", "s", "--client-key", "c", "--image", "a.jpg", "--out", "i"}).image->string(),
            "a.jpg");

  const auto r = parse({"run", "--model", "m/model.qcir", "--server-key", "k", "--input", "i", "--out", "o",
                        "--use-gpu", "--no-progress"});
  EXPECT_EQ(r.command, VeilFheCommand::run);
  EXPECT_EQ(r.model->string(), "m/model.qcir");
  EXPECT_TRUE(r.use_gpu);
  EXPECT_FALSE(r.progress);

  const auto d = parse({"decrypt", "--spec", "s", "--client-key", "c", "--input", "o"});
  EXPECT_EQ(d.command, VeilFheCommand::decrypt);
  EXPECT_EQ(d.input->string(), "o");
}

TEST(VeilFheCli, DefaultsAreTheSeeds) {
  const auto c = parse({"compile", "--out", "m"});
  EXPECT_EQ(c.network, NetworkOption::resnet18);
  EXPECT_EQ(c.quantization.n_bits, (nn::quant::NBits{8, 7, 7, 9}));
  // The improved mode's reads (resnet18_fhe_options_test.cpp): 10 bits at 0.1 as a 7-bit read,
  // bias correction.
  EXPECT_EQ(c.quantization.rounding_bits, 10);
  EXPECT_DOUBLE_EQ(c.compile.p_error, 0.1);
  EXPECT_EQ(c.compile.p_error_bits, 7);
  EXPECT_TRUE(c.quantization.bias_correction);
  EXPECT_FALSE(parse({"compile", "--out", "m", "--no-bias-correction"}).quantization.bias_correction);
  EXPECT_EQ(c.quantization.mode, nn::quant::QuantizationMode::Improved);
  const auto reference = parse({"compile", "--out", "m", "--quant-mode", "reference"});
  EXPECT_EQ(reference.quantization.rounding_bits, 7);
  EXPECT_DOUBLE_EQ(reference.compile.p_error, 0.05);
  EXPECT_EQ(reference.compile.p_error_bits, 0);
  EXPECT_FALSE(reference.quantization.bias_correction);
  EXPECT_EQ(c.crop, 0);
  EXPECT_TRUE(c.compile.multi_parameter);
  EXPECT_FALSE(parse({"compile", "--out", "m", "--uniform-parameters"}).compile.multi_parameter);
  EXPECT_TRUE(parse({"compile", "--out", "m", "--uniform-parameters", "--multi-parameter"}).compile.multi_parameter);
}

// --max-key-memory: decimal and binary units, "none" for no limit; the default is 2 GB.
TEST(VeilFheCli, KeyMemoryBudgetTakesSizesWithUnits) {
  const auto budget = [](const char* value) {
    return parse({"compile", "--out", "m", "--max-key-memory", value}).compile.max_key_bytes;
  };
  EXPECT_EQ(parse({"compile", "--out", "m"}).compile.max_key_bytes, 2'000'000'000u);
  EXPECT_EQ(budget("2GB"), 2'000'000'000u);
  EXPECT_EQ(budget("1.5GiB"), 1'610'612'736u);
  EXPECT_EQ(budget("800 MiB"), 838'860'800u);
  EXPECT_EQ(budget("4096B"), 4096u);
  EXPECT_EQ(budget("none"), 0u);
  for (const char* bad : {"", "2", "2G", "2gb", "-1GB", "0GB", "0.1B", "GB", "1e30TB", "nanGB", "2 GB extra"})
    EXPECT_THROW(budget(bad), InvalidArgument) << bad;
}

TEST(VeilFheCli, HelpForAllAndForOneSubcommand) {
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_TRUE(parse({"run", "-h"}).help);
  const std::string all = veil_fhe_help("veil_fhe");
  for (const char* word : {"compile", "keygen", "encrypt", "run", "decrypt"})
    EXPECT_NE(all.find(word), std::string::npos) << word;
  const std::string run = veil_fhe_help("veil_fhe", VeilFheCommand::run);
  for (const char* flag : {"--model", "--server-key", "--input", "--out", "--threads", "--use-gpu"})
    EXPECT_NE(run.find(flag), std::string::npos) << flag;
  EXPECT_EQ(run.find("--weights"), std::string::npos);
}

TEST(VeilFheCli, RejectsUnknownAndMissingSubcommands) {
  EXPECT_NE(error_of({}).find("missing subcommand"), std::string::npos);
  EXPECT_NE(error_of({"train"}).find("unknown subcommand 'train'"), std::string::npos);
  EXPECT_NE(error_of({"--out", "x"}).find("unknown subcommand '--out'"), std::string::npos);
}

TEST(VeilFheCli, RejectsFlagsOfOtherSubcommandsAndMissingOnes) {
  EXPECT_NE(
      error_of({"keygen", "--spec", "s", "--out", "k", "--weights", "w"}).find("keygen: unknown flag '--weights'"),
      std::string::npos);
  EXPECT_NE(error_of({"decrypt", "--spec", "s", "--client-key", "c", "--input", "o", "--out", "x"}).find("'--out'"),
            std::string::npos);
  EXPECT_NE(error_of({"compile"}).find("compile: --out is required"), std::string::npos);
  EXPECT_NE(error_of({"keygen", "--out", "k"}).find("--spec is required"), std::string::npos);
  EXPECT_NE(error_of({"run", "--model", "m", "--input", "i", "--out", "o"}).find("--server-key is required"),
            std::string::npos);
  EXPECT_NE(error_of({"encrypt", "--spec", "s", "--client-key", "c", "--out", "i"}).find("either --image"),
            std::string::npos);
  EXPECT_NE(error_of({"encrypt", "--spec", "s", "--client-key", "c", "--out", "i", "--image", "a", "--index", "1"})
                .find("either --image"),
            std::string::npos);
}

TEST(VeilFheCli, RejectsBadValuesAndCombinations) {
  EXPECT_NE(error_of({"compile", "--out", "m", "--crop", "40"}).find("multiple of 16"), std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--p-error", "2"}).find("not a per-PBS error probability"),
            std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--p-error", "0"}).find("in (0, 0.2]"), std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--quant-mode", "both"}).find("expected reference or improved"),
            std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--network", "vgg"}).find("expected resnet18 or small"),
            std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--network", "small", "--weights", "w"}).find("drop --weights"),
            std::string::npos);
  EXPECT_NE(error_of({"compile", "--out", "m", "--images", "d"}).find("--images needs --labels"), std::string::npos);
  EXPECT_NE(error_of({"run", "--model", "m", "--server-key", "k", "--input", "i", "--out", "o", "--threads", "0"})
                .find("--threads"),
            std::string::npos);
  EXPECT_NE(error_of({"encrypt", "--spec", "s", "--client-key", "c", "--out", "i", "--index", "x"}).find("'x'"),
            std::string::npos);
}

}  // namespace
}  // namespace veil::app
