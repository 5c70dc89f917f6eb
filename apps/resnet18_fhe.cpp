// resnet18_fhe: Concrete ML's run_resnet18_fhe.py in C++: ResNet-18 (BN folded) over
// labelled ImageNet images in fp32, then quantized (clear integer executor) and under FHE
// simulation for the reference-compatible and improved quantization modes, with the seed
// script's report lines; --export-statistics and --run-fhe compile the circuit (the
// simulation then uses its per-node error probabilities), --run-fhe runs images under real
// FHE (with --distributed, as rank 0 of an MPI job whose other ranks serve its PBS batches);
// --run-experiment sweeps n_bits x rounding bits.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "veil/app/data/shared_data.hpp"
#include "veil/app/flags/backend_flag.hpp"
#include "veil/app/flags/resnet18_fhe_options.hpp"
#include "veil/app/process/blas_memory.hpp"
#include "veil/app/report/fp32_report.hpp"
#include "veil/app/stages/fhe_stage_distributed.hpp"
#include "veil/app/stages/precision_step.hpp"
#include "veil/app/stages/quantized_stages.hpp"
#include "veil/app/stages/resnet18_fhe_flow.hpp"
#include "veil/app/stages/sweep.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/common/error.hpp"
#include "veil/io/class_names.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/io/weights.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/resnet18.hpp"

namespace fs = std::filesystem;
using namespace veil;
using app::WeightsDescription;

namespace {

app::QuantizedStagesSettings make_stages_settings(const app::Resnet18CliOptions& opt, std::size_t threads,
                                                  bool interactive) {
  app::QuantizedStagesSettings settings;
  settings.modes = opt.quant_modes;
  settings.quantization = opt.quantization;
  settings.reads = opt.reads;
  settings.simulation_seed = opt.simulation_seed;
  settings.batch_size = opt.batch_size;
  settings.threads = threads;
  if (opt.progress) settings.progress = &std::cerr;
  settings.interactive = interactive;
  return settings;
}

// The sweep of one mode: CSV and SVG into opt.output_dir, the table on stdout.
void run_experiment(const app::Resnet18CliOptions& opt, const nn::Graph& graph, const Tensor& calibration,
                    std::span<const LabelledImage> images, const nn::Fp32EvaluationResult& fp32,
                    const app::QuantizedStagesSettings& settings, nn::quant::QuantizationMode mode, bool official) {
  const std::string name = app::mode_name(mode);
  const app::SweepGrid grid{opt.experiment_n_bits, opt.experiment_rounding_bits};
  std::cerr << "Sweeping n_bits x rounding bits (" << name << " mode, "
            << grid.n_bits.size() * grid.rounding_bits.size() << " cells, " << images.size() << " images each)...\n";
  std::unique_ptr<app::ProgressBar> progress;
  if (opt.progress)
    progress = std::make_unique<app::ProgressBar>(std::cerr, grid.n_bits.size() * grid.rounding_bits.size(), "cells",
                                                  settings.interactive);
  app::SweepResult sweep;
  app::run_sweep(grid, app::make_sweep_cell_evaluator(graph, calibration, images, fp32, settings, mode), progress.get(),
                 sweep);
  // On a synthetic checkpoint the labels say nothing; agreement with fp32 is the figure.
  const app::SweepMetric metric = official ? app::SweepMetric::top1 : app::SweepMetric::fp32_agreement;
  const std::string title =
      std::string(official ? "Clear quantized top-1 accuracy" : "Clear quantized top-1 agreement with fp32") + ", " +
      name + " mode (" + std::to_string(images.size()) + " images)";
  const app::Heatmap heatmap = app::make_sweep_heatmap(sweep, metric, title);
  fs::create_directories(opt.output_dir);
  const fs::path stem = opt.output_dir / ("resnet18_fhe_experiment_" + name);
  std::ofstream csv(fs::path(stem).replace_extension(".csv")), svg(fs::path(stem).replace_extension(".svg"));
  if (!csv || !svg) throw IoError("cannot write " + stem.string() + ".csv/.svg");
  app::write_sweep_csv(sweep, csv);
  app::write_heatmap_svg(heatmap, svg);
  if (!csv.flush() || !svg.flush()) throw IoError("writing " + stem.string() + ".csv/.svg failed");
  std::cout << "\n";
  app::write_heatmap_table(heatmap, std::cout);
  for (const app::SweepCell& cell : sweep.cells)
    if (!cell.error.empty())
      std::cout << "  n_bits " << cell.n_bits << ", rounding " << app::rounding_label(cell.rounding_bits)
                << ": not evaluated: " << cell.error << "\n";
  std::printf("Sweep took %.1f s; wrote %s.csv and %s.svg\n", sweep.seconds, stem.c_str(), stem.c_str());
}

void run_quantized_flow(const app::Resnet18CliOptions& opt, nn::Fp32Executor& executor,
                        const app::MakeFoldedGraph& make_folded_graph, const nn::ImageSource& source,
                        const nn::PrepareImage& prepare, std::size_t total, const std::vector<std::string>& class_names,
                        const app::WeightsDescription& weights, std::size_t threads, bool interactive,
                        runtime::distributed::Session* session) {
  const nn::Graph& graph = executor.graph();
  const Shape& image_shape = graph.node(0).shape;
  const auto classes = static_cast<std::int64_t>(element_count(graph.node(graph.output).shape));
  std::vector<LabelledImage> calibration_items, images;
  std::vector<std::string> skipped;
  std::cerr << "Reading " << opt.calibration_images << " calibration and "
            << (total ? std::to_string(total) : std::string("all remaining")) << " evaluation image(s)...\n";
  nn::load_labelled_images(source, prepare, image_shape, classes, opt.calibration_images, threads, nullptr,
                           calibration_items, skipped);
  if (calibration_items.size() < opt.calibration_images)
    throw InvalidArgument("--calibration-images " + std::to_string(opt.calibration_images) + ": the dataset has only " +
                          std::to_string(calibration_items.size()) + " usable image(s)");
  std::unique_ptr<app::ProgressBar> progress;
  if (opt.progress) progress = std::make_unique<app::ProgressBar>(std::cerr, total, "images", interactive);
  nn::load_labelled_images(source, prepare, image_shape, classes, opt.num_images, threads,
                           app::progress_callback(progress.get()), images, skipped);
  if (progress) progress->finish();
  if (images.empty())
    throw InvalidArgument("no usable evaluation image after the " + std::to_string(opt.calibration_images) +
                          " calibration image(s); lower --calibration-images or add images");

  std::cerr << "Evaluating fp32 ResNet-18 on " << images.size() << " image(s), " << threads << " thread(s)...\n";
  std::size_t next = 0;
  const nn::ImageSource in_memory = [&](LabelledImage& item) {
    if (next == images.size()) return false;
    item.key = images[next].key;
    item.label = images[next].label;
    item.image = images[next++].image;
    return true;
  };
  nn::Fp32EvaluationResult fp32;
  fp32.skipped = skipped;
  nn::evaluate_fp32(executor, in_memory, {}, opt.batch_size, class_names, nullptr, fp32);
  app::write_fp32_report(fp32, weights, class_names, threads, opt.batch_size, 0, std::cout);
  std::cout.flush();

  Tensor calibration;
  nn::stack_images(calibration_items, calibration);
  app::QuantizedStagesSettings settings = make_stages_settings(opt, threads, interactive);
  const auto fhe_mode = app::fhe_mode(opt);
  app::ModeCompiler compiler(opt.compile, opt.reads, fhe_mode, settings.progress);
  if (opt.run_fhe || opt.export_statistics)
    settings.compiled_simulation = [&compiler](auto mode, const auto& circuit, auto& simulation) {
      compiler.compile(mode, circuit, simulation);
    };
  std::vector<app::QuantizedModeReport> reports;
  app::run_quantized_stages(graph, calibration, images, fp32, settings, class_names, reports);
  // The per-site setting runs last, so that the FHE mode's program the compiler keeps is its.
  std::optional<compiler::PrecisionSearchResult> precision;
  app::QuantizedStagesSettings fhe_settings = settings;
  app::Resnet18CliOptions fhe_options = opt;  // with the search's per-site targets
  if (app::searches_precision(opt)) {
    precision = app::search_precision(opt, graph, calibration, executor, settings, settings.progress);
    fhe_settings.modes = {nn::quant::QuantizationMode::Improved};
    fhe_settings.quantization.rounding_bits_by_node = precision->rounding_bits_by_node;
    fhe_options.compile.p_error_by_node = precision->p_error_by_node;
    compiler.set_site_targets(precision->p_error_by_node);
    std::vector<app::QuantizedModeReport> per_site;
    app::run_quantized_stages(graph, calibration, images, fp32, fhe_settings, class_names, per_site);
    per_site.front().name = "per-site";
    reports.push_back(std::move(per_site.front()));
  }
  app::write_quantized_report(reports, fp32, weights.official_verified, calibration_items.size(), 10, std::cout);
  if (precision) app::write_precision_search(*precision, std::cout);
  std::cout.flush();
  if (opt.export_statistics) app::export_statistics(compiler.fhe_program(), *opt.export_statistics, std::cout);
  if (opt.run_fhe) {
    app::FheStageResult fhe;
    app::run_fhe_flow(fhe_options, compiler.fhe_program(), app::make_config(fhe_settings, fhe_mode), calibration,
                      images, make_folded_graph, settings.progress, interactive, session, std::cout, fhe);
  }
  std::cout.flush();
  if (opt.run_experiment)
    for (const auto mode : settings.modes)
      run_experiment(opt, graph, calibration, images, fp32, settings, mode, weights.official_verified);
}

// Before any work: outputs that cannot be written fail now, not after the long stages.
void require_writable_outputs(const app::Resnet18CliOptions& opt) {
  if (opt.run_experiment) app::require_writable_directory(opt.output_dir, "--output-dir");
  for (const auto& [path, flag] :
       {std::pair{opt.export_statistics, "--export-statistics"}, {opt.fhe_layers, "--fhe-layers"}}) {
    if (!path) continue;
    app::require_writable_file(*path, flag);
    app::refuse_to_replace_client_key(*path, flag, false);
  }
}

// `session`: rank 0 of --distributed, handed to the FHE stage; null otherwise.
int run(const app::Resnet18CliOptions& opt, const fs::path& exe, runtime::distributed::Session* session) {
  require_writable_outputs(opt);
  const auto data_dir = app::find_shared_data_dir({fs::current_path(), exe.parent_path()});
  std::vector<fs::path> extra_weight_dirs;
  if (data_dir) extra_weight_dirs.push_back(*data_dir);
  const io::WeightsFile weights =
      io::find_torchvision_weights(io::kResnet18WeightsFile, opt.weights, extra_weight_dirs);

  const std::size_t threads = opt.threads ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
  if (opt.use_gpu) {  // fail before the long clear stages
    ThreadPool pool(1);
    app::make_backend_for_flags(true, pool);
  }
  const StateDict state_dict = io::load_state_dict(weights.path);
  const app::MakeFoldedGraph make_folded_graph = [&state_dict](std::int64_t input_size) {
    nn::Graph graph = nn::make_resnet18(state_dict, input_size);
    nn::fold_batch_norm_inplace(graph);
    return graph;
  };
  const io::PreprocessConfig preprocess;
  nn::Fp32Executor executor(make_folded_graph(preprocess.crop), threads);
  app::require_address_space_for_blas(threads);  // every stage runs OpenBLAS on each thread: fail now, not hang

  io::DatasetOptions dataset_options;
  dataset_options.shuffle_seed = opt.seed;
  // With the quantized stages the first calibration_images items calibrate and the
  // num_images after them are evaluated.
  const std::size_t calibration = opt.quantized_stages ? opt.calibration_images : 0;
  dataset_options.num_images = opt.num_images ? calibration + opt.num_images : 0;
  std::unique_ptr<io::Dataset> dataset;
  std::size_t total = 0;  // 0: unknown (shards)
  std::vector<fs::path> name_dirs;
  if (opt.dataset_cache_dir) {
    dataset = io::make_shard_dataset(*opt.dataset_cache_dir, dataset_options);
    total = opt.num_images;
  } else {
    fs::path images = opt.images ? *opt.images : fs::path();
    fs::path labels = opt.labels ? *opt.labels : fs::path();
    if (!opt.images) {
      if (!data_dir)
        throw IoError("no --images/--labels given and the default data folder ../shared/data (with "
                      "imagenet-val100/ and labels/) was not found beside the repository; set VEIL_SHARED_DATA "
                      "or pass --images DIR --labels CSV");
      images = app::default_images_dir(*data_dir);
      labels = app::default_labels_csv(*data_dir);
    }
    dataset = io::make_folder_dataset(images, labels, dataset_options);
    total = *dataset->size();  // calibration + num_images at most
    total = total > calibration ? total - calibration : 0;
    name_dirs.push_back(labels.parent_path());
  }
  if (data_dir) name_dirs.push_back(*data_dir);

  std::vector<std::string> class_names;
  try {
    class_names = io::find_class_names(name_dirs);
  } catch (const Error& e) {
    std::cerr << "resnet18_fhe: warning: no class names (" << e.what() << "); printing indices only\n";
  }

  const nn::ImageSource source = [&](LabelledImage& item) { return dataset->next(item); };
  const nn::PrepareImage prepare = [&](LabelledImage& item) { io::prepare_image(item, preprocess); };
  const bool interactive = isatty(STDERR_FILENO);
  const WeightsDescription weights_description{weights.path.string(), weights.sha256, weights.official_verified};
  if (!opt.quantized_stages) {
    std::cerr << "Evaluating fp32 ResNet-18 on " << (total ? std::to_string(total) : std::string("all"))
              << " image(s), " << threads << " thread(s)...\n";
    std::unique_ptr<app::ProgressBar> progress;
    if (opt.progress) progress = std::make_unique<app::ProgressBar>(std::cerr, total, "images", interactive);
    nn::Fp32EvaluationResult result;
    nn::evaluate_fp32(executor, source, prepare, opt.batch_size, class_names, app::progress_callback(progress.get()),
                      result);
    if (progress) progress->finish();
    app::write_fp32_report(result, weights_description, class_names, threads, opt.batch_size, 10, std::cout);
    return 0;
  }
  run_quantized_flow(opt, executor, make_folded_graph, source, prepare, total, class_names, weights_description,
                     threads, interactive, session);
  return 0;
}

// --distributed: this process is one rank of the MPI job; rank 0 runs the program, the others
// serve its FHE stage.
int run_distributed(const app::Resnet18CliOptions& opt, const fs::path& exe) {
  app::run_distributed({opt.rank_timeout}, app::fhe_stage_settings(opt),
                       [&](runtime::distributed::Session& session) { run(opt, exe, &session); });
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  app::reexec_with_single_threaded_blas(argv);
  const std::string program = fs::path(argv[0]).filename().string();
  const std::vector<std::string> args(argv + 1, argv + argc);
  app::Resnet18CliOptions options;
  try {
    options = app::parse_resnet18_cli(args);
  } catch (const std::exception& e) {  // veil::Error for bad flags; anything else still a message
    std::cerr << program << ": " << e.what() << "\n";
    return 2;
  }
  if (options.help) {
    std::cout << app::resnet18_cli_help(program);
    return 0;
  }
  try {
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (ec) exe = fs::absolute(argv[0]);
    return options.distributed ? run_distributed(options, exe) : run(options, exe, nullptr);
  } catch (const Error& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << program << ": error: out of memory (std::bad_alloc)\n";
    return 1;
  } catch (const std::exception& e) {  // std::filesystem_error and the like: still a message, never an abort
    std::cerr << program << ": error: " << e.what() << "\n";
    return 1;
  }
}
