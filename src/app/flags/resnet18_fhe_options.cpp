#include <algorithm>
#include <cstdlib>

#include "veil/app/flags/flag_table.hpp"
#include "veil/app/flags/resnet18_fhe_options.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

CliFlagTable<Resnet18CliOptions> make_flags();

const CliFlagTable<Resnet18CliOptions>& flags() {
  static const CliFlagTable<Resnet18CliOptions> table = make_flags();
  return table;
}

CliFlagTable<Resnet18CliOptions> make_flags() {
  CliFlagTable<Resnet18CliOptions> table = {
      {"--help", {FlagValue::none, "show this help and exit", [](auto& o, auto&, auto&) { o.help = true; }}},
      {"--weights",
       {FlagValue::required,
        "PATH  ResNet-18 checkpoint (torch.save'd state_dict); default: the official "
        "resnet18-f37072fd.pth in $TORCH_HOME/hub/checkpoints",
        [](auto& o, auto&, auto& v) { o.weights = v; }}},
      {"--images",
       {FlagValue::required, "DIR  folder of images (with --labels); default: ../shared/data/imagenet-val100",
        [](auto& o, auto&, auto& v) { o.images = v; }}},
      {"--labels",
       {FlagValue::required,
        "CSV  labels file 'file,label[,wnid,name]' for --images; default: "
        "../shared/data/labels/xiaobozhao_val100.csv",
        [](auto& o, auto&, auto& v) { o.labels = v; }}},
      {"--dataset-cache-dir",
       {FlagValue::required, "PATH  folder of webdataset .tar shards (KEY.jpg + KEY.cls) instead of --images",
        [](auto& o, auto&, auto& v) { o.dataset_cache_dir = v; }}},
      {"--num-images",
       {FlagValue::required,
        "N  evaluate N images (those after the calibration images unless --fp32-only; default: all)",
        [](auto& o, auto& f, auto& v) { o.num_images = parse_unsigned_value(f, v, 1, 1u << 30); }}},
      {"--threads",
       {FlagValue::required, "N  worker threads (default: all cores)",
        [](auto& o, auto& f, auto& v) { o.threads = parse_threads_value(f, v); }}},
      {"--batch-size",
       {FlagValue::required, "N  images per fp32 batch (default: 16)",
        [](auto& o, auto& f, auto& v) { o.batch_size = parse_unsigned_value(f, v, 1, 4096); }}},
      {"--seed",
       {FlagValue::required, "S  shuffle the image order with this seed (default: dataset order)",
        [](auto& o, auto& f, auto& v) { o.seed = parse_unsigned_value(f, v, 0, UINT64_MAX); }}},
      {"--no-progress",
       {FlagValue::none, "no progress bar on stderr", [](auto& o, auto&, auto&) { o.progress = false; }}},
      {"--run-fhe",
       {FlagValue::none,
        "after the clear and simulated stages, run --fhe-images evaluation images under "
        "real FHE (keys, encryption, server, decryption) and compare with the simulation",
        [](auto& o, auto&, auto&) { o.run_fhe = true; }}},
      {"--export-statistics",
       {FlagValue::optional,
        "[PATH]  write the compiled circuit's statistics as JSON to PATH "
        "(default statistics.json) and print a summary",
        [](auto& o, auto&, auto& v) { o.export_statistics = v.empty() ? "statistics.json" : v; }}},
      {"--use-gpu",
       {FlagValue::none, "run the FHE stage on the GPU (CUDA backend)",
        [](auto& o, auto&, auto&) { o.use_gpu = true; }}},
      {"--fhe-images",
       {FlagValue::required, "N  evaluation images run under real FHE with --run-fhe (default 1)",
        [](auto& o, auto& f, auto& v) { o.fhe_images = parse_unsigned_value(f, v, 1, 1u << 20); }}},
      {"--fhe-crop",
       {FlagValue::required,
        "S  with --run-fhe: run FHE (and the simulation it is compared with) on ResNet-18 "
        "built for the S x S centre crop (S a multiple of 16), quantized "
        "on the calibration images' crops; 0 = the full 224 image (default)",
        [](auto& o, auto& f, auto& v) { o.fhe_crop = parse_crop_value(f, v); }}},
      {"--fhe-layers",
       {FlagValue::required, "CSV  with --run-fhe: write each layer's time, PBS and PBS/s per FHE image",
        [](auto& o, auto&, auto& v) { o.fhe_layers = v; }}},
      {"--distributed",
       {FlagValue::none,
        "with --run-fhe: run as one rank of an MPI job (mpirun -np R): rank 0 runs "
        "everything and sends the server key it makes to the other ranks, which "
        "serve the FHE stage's PBS batches (docs/distributed.md)",
        [](auto& o, auto&, auto&) { o.distributed = true; }}},
      {"--rank-timeout",
       {FlagValue::required,
        "SECONDS  --distributed: stop the job when a rank answers no batch for "
        "this long (600)",
        [](auto& o, auto& f, auto& v) { o.rank_timeout = parse_rank_timeout_value(f, v); }}},
      {"--quant-mode",
       {FlagValue::required, "MODE  reference (Concrete ML's scheme), improved (veil's) or both (default)",
        [](auto& o, auto& f, auto& v) {
          using nn::quant::QuantizationMode;
          if (v == "reference")
            o.quant_modes = {QuantizationMode::ReferenceCompatible};
          else if (v == "improved")
            o.quant_modes = {QuantizationMode::Improved};
          else if (v == "both")
            o.quant_modes = Resnet18CliOptions{}.quant_modes;
          else
            throw InvalidArgument(f + ": '" + v + "', expected reference, improved or both");
        }}},
      {"--rounding-bits-at",
       {FlagValue::required,
        "NODE=B,...  improved mode: read these lookups on B bits instead "
        "of --rounding-bits (e.g. maxpool=6,relu=6: the node names of "
        "--export-statistics); --per-site-precision starts from them",
        [](auto& o, auto& f, auto& v) { o.quantization.rounding_bits_by_node = parse_site_bits_value(f, v); }}},
      {"--per-site-precision",
       {FlagValue::none,
        "improved mode: search per-site rounding bits on the calibration images "
        "(a site reads fewer bits where the clear and simulated agreement with fp32 "
        "holds) and run the searched circuit as a 'per-site' stage after the uniform "
        "one; --run-fhe and --export-statistics then use it (default: uniform bits)",
        [](auto& o, auto&, auto&) { o.per_site_precision = true; }}},
      {"--p-error-at",
       {FlagValue::required,
        "NODE=P,...  these PBS sites' own targets instead of --p-error (e.g. "
        "maxpool=0.2: at 7 bits 0.2 fits N 2048 where 0.05 needs N 4096; node names of "
        "--export-statistics); one --quant-mode",
        [](auto& o, auto& f, auto& v) { o.compile.p_error_by_node = parse_site_p_error_value(f, v); }}},
      {"--calibration-images",
       {FlagValue::required,
        "N  the dataset's first N images calibrate the quantizer and are not "
        "evaluated (default 10)",
        [](auto& o, auto& f, auto& v) { o.calibration_images = parse_unsigned_value(f, v, 1, 1u << 20); }}},
      {"--simulation-seed",
       {FlagValue::required, "S  seed of the simulated PBS errors (default 0)",
        [](auto& o, auto& f, auto& v) { o.simulation_seed = parse_unsigned_value(f, v, 0, UINT64_MAX); }}},
      {"--fp32-only",
       {FlagValue::none, "run the fp32 stage only (on every image; no calibration split)",
        [](auto& o, auto&, auto&) { o.quantized_stages = false; }}},
      {"--run-experiment",
       {FlagValue::none,
        "sweep n_bits x rounding bits (clear quantized accuracy per cell); "
        "writes CSV + SVG heat map to --output-dir",
        [](auto& o, auto&, auto&) { o.run_experiment = true; }}},
      {"--experiment-n-bits",
       {FlagValue::required, "LIST  n_bits rows of the sweep, e.g. 2..8 (default) or 4,6,8",
        [](auto& o, auto& f, auto& v) { o.experiment_n_bits = parse_bits_list_value(f, v); }}},
      {"--experiment-rounding-bits",
       {FlagValue::required, "LIST  rounding columns, e.g. 2..8,none (default) or 6,none",
        [](auto& o, auto& f, auto& v) { o.experiment_rounding_bits = parse_rounding_list_value(f, v); }}},
      {"--output-dir",
       {FlagValue::required, "DIR  where --run-experiment writes its files (default: current directory)",
        [](auto& o, auto&, auto& v) { o.output_dir = v; }}},
  };
  table.merge(quantization_flags<Resnet18CliOptions>());
  return table;
}

}  // namespace

bool runs_mode(const Resnet18CliOptions& options, nn::quant::QuantizationMode mode) {
  return std::ranges::find(options.quant_modes, mode) != options.quant_modes.end();
}

Resnet18CliOptions parse_resnet18_cli(std::span<const std::string> args) {
  Resnet18CliOptions o;
  apply_flags(args, flags(), o);
  if (o.help) return o;
  if (o.images.has_value() != o.labels.has_value())
    throw InvalidArgument(std::string(o.images ? "--images" : "--labels") + " needs " +
                          (o.images ? "--labels" : "--images") + " too");
  if (o.dataset_cache_dir && o.images)
    throw InvalidArgument("--dataset-cache-dir and --images/--labels select different datasets; give one of them");
  if (!o.quantized_stages)
    for (const auto& [given, flag] : {std::pair{o.run_experiment, "--run-experiment"},
                                      {o.run_fhe, "--run-fhe"},
                                      {o.export_statistics.has_value(), "--export-statistics"}})
      if (given) throw InvalidArgument(std::string(flag) + " needs the quantized stages; drop --fp32-only");
  const bool improved_only = !runs_mode(o, nn::quant::QuantizationMode::ReferenceCompatible);
  if (!o.quantization.rounding_bits_by_node.empty() && (!improved_only || !o.reads.improved.rounding_bits))
    throw InvalidArgument("--rounding-bits-at sets the improved mode's per-site bits: add --quant-mode improved and "
                          "drop --rounding-bits none");
  if (!o.compile.p_error_by_node.empty() && o.quant_modes.size() != 1)
    throw InvalidArgument("--p-error-at names sites of one circuit: add --quant-mode improved (or reference)");
  if (o.per_site_precision && (!runs_mode(o, nn::quant::QuantizationMode::Improved) || !o.reads.improved.rounding_bits))
    throw InvalidArgument(
        "--per-site-precision searches the improved mode's rounding bits: drop --quant-mode reference "
        "and --rounding-bits none");
  if (!o.run_fhe)
    for (const auto& [given, flag] : {std::pair{o.use_gpu, "--use-gpu"},
                                      {o.fhe_images != 1, "--fhe-images"},
                                      {o.fhe_crop != 0, "--fhe-crop"},
                                      {o.fhe_layers.has_value(), "--fhe-layers"},
                                      {o.distributed, "--distributed"}})
      if (given) throw InvalidArgument(std::string(flag) + " applies to the FHE stage; add --run-fhe");
  if (o.rank_timeout != Resnet18CliOptions{}.rank_timeout && !o.distributed)
    throw InvalidArgument("--rank-timeout applies to --distributed; add it");
  return o;
}

std::string resnet18_cli_help(const std::string& program) {
  const std::string text =
      "Usage: " + program +
      " [flags]\n"
      "Evaluates torchvision's ResNet-18 (AvgPool2d(7) head, as Concrete ML's run_resnet18_fhe.py)\n"
      "on labelled ImageNet images and reports top-1/top-5 accuracy of the fp32 model, of the\n"
      "quantized model and of its FHE simulation; with --run-fhe, also classifies images under\n"
      "real FHE and compares each with its simulation.\n\n"
      "Security note: at the default p_error (0.05 per PBS in the reference mode, as Concrete ML;\n"
      "0.1 as a 7-bit read in the improved mode) decrypted results must stay with the client\n"
      "(IND-CPA, not IND-CPA^D); use a tight p_error (e.g. 1e-12) if they are shared.\n\n"
      "Flags (--flag VALUE or --flag=VALUE; _ and - are interchangeable):\n";
  return text + flags_help(flags());
}

}  // namespace veil::app
