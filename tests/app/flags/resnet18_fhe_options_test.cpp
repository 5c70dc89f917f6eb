// Parsing of resnet18_fhe's flags: values, both spellings, and every kind of rejection.
#include <gtest/gtest.h>

#include <map>

#include "veil/app/flags/resnet18_fhe_options.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
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
  const auto o = parse({"--weights", "w.pth", "--images=imgs", "--labels", "l.csv", "--num_images", "7", "--threads=2",
                        "--seed", "11", "--batch-size", "4", "--no-progress"});
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
  for (const char* flag : {"--weights",
                           "--images",
                           "--labels",
                           "--dataset-cache-dir",
                           "--num-images",
                           "--threads",
                           "--seed",
                           "--batch-size",
                           "--run-fhe",
                           "--export-statistics",
                           "--use-gpu",
                           "--run-experiment",
                           "--n-bits",
                           "--rounding-bits",
                           "--p-error",
                           "--help",
                           "--quant-mode",
                           "--rounding-method",
                           "--calibration-images",
                           "--simulation-seed",
                           "--fp32-only",
                           "--experiment-n-bits",
                           "--experiment-rounding-bits",
                           "--output-dir",
                           "--fhe-images",
                           "--fhe-crop",
                           "--fhe-layers",
                           "--multi-parameter",
                           "--uniform-parameters",
                           "--distributed",
                           "--rank-timeout"})
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

TEST(Resnet18Cli, FheFlagsDefaultOff) {
  const auto o = parse({});
  EXPECT_FALSE(o.run_fhe || o.use_gpu || o.export_statistics || o.distributed);
  EXPECT_EQ(o.fhe_images, 1u);
  EXPECT_EQ(o.fhe_crop, 0);
  EXPECT_EQ(o.rank_timeout, 600.0);
}

TEST(Resnet18Cli, ParsesFheFlags) {
  const auto o = parse({"--run_fhe", "--use-gpu", "--fhe-images", "3", "--fhe_crop=64", "--export-statistics", "s.json",
                        "--fhe-layers", "layers.csv"});
  EXPECT_TRUE(o.run_fhe);
  EXPECT_TRUE(o.use_gpu);
  EXPECT_EQ(o.fhe_images, 3u);
  EXPECT_EQ(o.fhe_crop, 64);
  EXPECT_EQ(o.export_statistics->string(), "s.json");
  EXPECT_EQ(o.fhe_layers->string(), "layers.csv");
  EXPECT_EQ(parse({"--run-fhe", "--fhe-crop", "0"}).fhe_crop, 0);
  EXPECT_EQ(parse({"--run-fhe", "--fhe-crop", "224"}).fhe_crop, 224);
  EXPECT_EQ(parse({"--run-fhe", "--fhe-crop", "16"}).fhe_crop, 16);
}

// The distributed run itself is CTest runtime_mpi.stage_* (under mpirun); without MPI in the
// build --distributed is refused when the program starts (DistributedFlags.BuildWithoutMpiRefusesClearly).
TEST(Resnet18Cli, DistributedNeedsTheFheStage) {
  const auto o = parse({"--run-fhe", "--distributed", "--rank-timeout", "30"});
  EXPECT_TRUE(o.distributed);
  EXPECT_EQ(o.rank_timeout, 30.0);
  EXPECT_NE(error_of({"--distributed"}).find("--distributed applies to the FHE stage; add --run-fhe"),
            std::string::npos);
  EXPECT_NE(error_of({"--run-fhe", "--rank-timeout", "30"}).find("applies to --distributed"), std::string::npos);
  EXPECT_NE(error_of({"--run-fhe", "--distributed", "--rank-timeout", "0"}).find("--rank-timeout"), std::string::npos);
  EXPECT_NE(error_of({"--run-fhe", "--distributed", "--rank-timeout", "soon"}).find("'soon'"), std::string::npos);
}

TEST(Resnet18Cli, ExportStatisticsPathIsOptional) {
  EXPECT_EQ(parse({"--export-statistics"}).export_statistics->string(), "statistics.json");
  // The next flag is not taken as the path.
  const auto o = parse({"--export_statistics", "--run-fhe"});
  EXPECT_EQ(o.export_statistics->string(), "statistics.json");
  EXPECT_TRUE(o.run_fhe);
  EXPECT_EQ(parse({"--export-statistics=out/st.json"}).export_statistics->string(), "out/st.json");
  EXPECT_NE(error_of({"--export-statistics="}).find("empty value"), std::string::npos);
}

TEST(Resnet18Cli, RejectsBadFheValuesAndCombinations) {
  for (const char* crop : {"8", "40", "225", "240", "-32", "x"})
    EXPECT_NE(error_of({"--run-fhe", "--fhe-crop", crop}).find("--fhe-crop"), std::string::npos) << crop;
  EXPECT_NE(error_of({"--run-fhe", "--fhe-crop", "40"}).find("multiple of 16"), std::string::npos);
  EXPECT_NE(error_of({"--run-fhe", "--fhe-images", "0"}).find("--fhe-images"), std::string::npos);
  EXPECT_TRUE(parse({"--multi-parameter", "--export-statistics"}).compile.multi_parameter);
  EXPECT_TRUE(parse({"--multi-parameter", "--run-fhe"}).compile.multi_parameter);
  EXPECT_TRUE(parse({}).compile.multi_parameter);  // the default
  EXPECT_FALSE(parse({"--uniform-parameters", "--run-fhe"}).compile.multi_parameter);
  EXPECT_NE(error_of({"--run-fhe=1"}).find("takes no value"), std::string::npos);
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--use-gpu"}, {"--fhe-images", "2"}, {"--fhe-crop", "32"}, {"--fhe-layers", "l.csv"}})
    EXPECT_NE(error_of(args).find("add --run-fhe"), std::string::npos) << args[0];
  EXPECT_NE(error_of({"--run-fhe", "--fp32-only"}).find("--run-fhe needs the quantized stages"), std::string::npos);
  EXPECT_NE(error_of({"--export-statistics", "--fp32-only"}).find("drop --fp32-only"), std::string::npos);
}

TEST(Resnet18Cli, QuantizedStageDefaultsAreTheSeeds) {
  const auto o = parse({});
  EXPECT_EQ(o.quant_modes,
            (std::vector{nn::quant::QuantizationMode::ReferenceCompatible, nn::quant::QuantizationMode::Improved}));
  EXPECT_EQ(o.quantization.n_bits, (nn::quant::NBits{8, 7, 7, 9}));
  EXPECT_EQ(o.quantization.rounding_method, nn::quant::RoundingMethod::Approximate);
  EXPECT_EQ(o.calibration_images, 10u);
  EXPECT_TRUE(o.quantized_stages);
  EXPECT_FALSE(o.run_experiment);
  EXPECT_EQ(o.experiment_n_bits, (std::vector<int>{2, 3, 4, 5, 6, 7, 8}));
  ASSERT_EQ(o.experiment_rounding_bits.size(), 8u);
  EXPECT_EQ(o.experiment_rounding_bits.front(), 2);
  EXPECT_FALSE(o.experiment_rounding_bits.back());
}

// The reference mode reads as Concrete ML's seed (7 bits at p_error 0.05); the improved mode reads
// 10 bits under the noise of a 7-bit read at 0.1 with bias correction (docs/fhe_compiler.md, "Fine
// reads with bias correction").
TEST(Resnet18Cli, EachModeReadsItsOwnDefaultsUntilAFlagSetsBoth) {
  const auto o = parse({});
  EXPECT_EQ(o.reads.reference.rounding_bits, 7);
  EXPECT_DOUBLE_EQ(o.reads.reference.p_error, 0.05);
  EXPECT_EQ(o.reads.reference.p_error_bits, 0);
  EXPECT_FALSE(o.reads.reference.bias_correction);
  EXPECT_EQ(o.reads.improved.rounding_bits, 10);
  EXPECT_DOUBLE_EQ(o.reads.improved.p_error, 0.1);
  EXPECT_EQ(o.reads.improved.p_error_bits, 7);
  EXPECT_TRUE(o.reads.improved.bias_correction);
  EXPECT_EQ(&o.reads.of(nn::quant::QuantizationMode::ReferenceCompatible), &o.reads.reference);
  EXPECT_EQ(&o.reads.of(nn::quant::QuantizationMode::Improved), &o.reads.improved);

  const auto given = parse({"--rounding-bits", "8", "--p-error", "0.03", "--p-error-bits", "6"});
  for (const ReadSettings& reads : {given.reads.reference, given.reads.improved}) {
    EXPECT_EQ(reads.rounding_bits, 8);
    EXPECT_DOUBLE_EQ(reads.p_error, 0.03);
    EXPECT_EQ(reads.p_error_bits, 6);
  }
  // One flag leaves the others at each mode's default.
  const auto p = parse({"--p-error", "0.05"});
  EXPECT_DOUBLE_EQ(p.reads.improved.p_error, 0.05);
  EXPECT_EQ(p.reads.improved.rounding_bits, 10);
  EXPECT_EQ(p.reads.improved.p_error_bits, 7);
  EXPECT_EQ(p.reads.reference.rounding_bits, 7);
  EXPECT_TRUE(p.reads.improved.bias_correction);
  // Bias correction: one flag for both modes, the last one given wins.
  for (const ReadSettings& reads :
       {parse({"--no-bias-correction"}).reads.reference, parse({"--no-bias-correction"}).reads.improved,
        parse({"--bias-correction", "--no-bias-correction"}).reads.improved})
    EXPECT_FALSE(reads.bias_correction);
  for (const ReadSettings& reads : {parse({"--bias-correction"}).reads.reference,
                                    parse({"--no-bias-correction", "--bias-correction"}).reads.improved})
    EXPECT_TRUE(reads.bias_correction);
}

TEST(Resnet18Cli, ParsesQuantizationFlags) {
  const auto o = parse({"--quant-mode", "improved", "--n-bits=8,6,6,9", "--rounding-bits", "none", "--rounding_method",
                        "exact", "--p-error", "1e-3", "--calibration-images", "4", "--simulation-seed", "9"});
  EXPECT_EQ(o.quant_modes, std::vector{nn::quant::QuantizationMode::Improved});
  EXPECT_EQ(o.quantization.n_bits, (nn::quant::NBits{8, 6, 6, 9}));
  EXPECT_FALSE(o.reads.improved.rounding_bits);
  EXPECT_EQ(o.quantization.rounding_method, nn::quant::RoundingMethod::Exact);
  EXPECT_DOUBLE_EQ(o.reads.improved.p_error, 1e-3);
  EXPECT_EQ(o.calibration_images, 4u);
  EXPECT_EQ(o.simulation_seed, 9u);
  EXPECT_EQ(parse({"--quant-mode", "reference"}).quant_modes,
            std::vector{nn::quant::QuantizationMode::ReferenceCompatible});
  EXPECT_EQ(parse({"--rounding-bits", "5"}).reads.reference.rounding_bits, 5);
  EXPECT_FALSE(parse({}).per_site_precision);
  EXPECT_TRUE(parse({"--per-site-precision"}).per_site_precision);
  EXPECT_THROW(parse({"--per-site-precision", "--quant-mode", "reference"}), InvalidArgument);
  EXPECT_THROW(parse({"--per-site-precision", "--rounding-bits", "none"}), InvalidArgument);
  const auto at = parse({"--quant-mode", "improved", "--rounding-bits-at", "maxpool=6,relu=5"});
  EXPECT_EQ(at.quantization.rounding_bits_by_node, (std::map<std::string, int>{{"maxpool", 6}, {"relu", 5}}));
  EXPECT_THROW(parse({"--rounding-bits-at", "maxpool=6"}), InvalidArgument);  // needs --quant-mode improved
  for (const char* bad : {"maxpool", "=6", "maxpool=1", "maxpool=6,maxpool=5", "maxpool=six"}) {
    EXPECT_THROW(parse({"--quant-mode", "improved", "--rounding-bits-at", bad}), InvalidArgument) << bad;
  }
  EXPECT_DOUBLE_EQ(parse({"--p-error", "0.2"}).reads.reference.p_error, 0.2);  // kMaxPError
  EXPECT_FALSE(parse({"--fp32-only"}).quantized_stages);
}

TEST(Resnet18Cli, SingleNBitsFollowsConcreteMl) {
  // One integer sets op inputs and weights; model inputs/outputs get at least 5 bits.
  EXPECT_EQ(parse({"--n-bits", "3"}).quantization.n_bits, (nn::quant::NBits{5, 3, 3, 5}));
  EXPECT_EQ(parse({"--n-bits", "7"}).quantization.n_bits, (nn::quant::NBits{7, 7, 7, 7}));
}

TEST(Resnet18Cli, ParsesExperimentGrids) {
  const auto o = parse({"--run-experiment", "--experiment-n-bits", "4..6,8", "--experiment-rounding-bits", "6,none",
                        "--output-dir", "out"});
  EXPECT_TRUE(o.run_experiment);
  EXPECT_EQ(o.experiment_n_bits, (std::vector<int>{4, 5, 6, 8}));
  ASSERT_EQ(o.experiment_rounding_bits.size(), 2u);
  EXPECT_EQ(o.experiment_rounding_bits[0], 6);
  EXPECT_FALSE(o.experiment_rounding_bits[1]);
  EXPECT_EQ(o.output_dir, "out");
}

TEST(Resnet18Cli, RejectsBadQuantizationValues) {
  EXPECT_NE(error_of({"--quant-mode", "fast"}).find("'fast', expected reference, improved or both"), std::string::npos);
  EXPECT_NE(error_of({"--n-bits", "1"}).find("[2, 16]"), std::string::npos);
  EXPECT_NE(error_of({"--n-bits", "8,7,7"}).find("3 fields"), std::string::npos);
  EXPECT_NE(error_of({"--n-bits", "8,7,x,9"}).find("'x'"), std::string::npos);
  EXPECT_NE(error_of({"--rounding-bits", "all"}).find("neither 'none' nor an integer"), std::string::npos);
  EXPECT_NE(error_of({"--rounding-bits", "17"}).find("--rounding-bits"), std::string::npos);
  EXPECT_NE(error_of({"--rounding-method", "fuzzy"}).find("approximate or exact"), std::string::npos);
  // One range for both programs (issue 14 item 6): 0 used to pass the parser and fail the compiler,
  // 0.99 compiled a model whose outputs decode wrongly with probability 1.
  for (const char* p : {"0", "0.99", "0.2001", "1", "-0.1", "nan", "0.05x", "inf"})
    EXPECT_NE(error_of({"--p-error", p}).find("not a per-PBS error probability in (0, 0.2]"), std::string::npos) << p;
  EXPECT_NE(error_of({"--calibration-images", "0"}).find("--calibration-images"), std::string::npos);
  EXPECT_NE(error_of({"--experiment-n-bits", "8..4"}).find("range '8..4' is empty"), std::string::npos);
  EXPECT_NE(error_of({"--experiment-n-bits", "none"}).find("'none'"), std::string::npos);
  EXPECT_NE(error_of({"--experiment-rounding-bits", "6,none,6"}).find("twice"), std::string::npos);
  EXPECT_NE(error_of({"--experiment-rounding-bits", "6,,7"}).find("--experiment-rounding-bits"), std::string::npos);
  EXPECT_NE(error_of({"--run-experiment", "--fp32-only"}).find("drop --fp32-only"), std::string::npos);
}

}  // namespace
}  // namespace veil::app
