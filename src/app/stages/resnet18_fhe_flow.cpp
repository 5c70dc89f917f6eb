#include "veil/app/stages/resnet18_fhe_flow.hpp"

#include <algorithm>
#include <thread>
#include <vector>

#include "veil/app/report/fhe_report.hpp"
#include "veil/common/file_io.hpp"
#include "veil/compiler/compile_float_graph.hpp"
#include "veil/io/center_crop_tensor.hpp"

namespace veil::app {
namespace {

void write_layers(const app::Resnet18CliOptions& options, const FheStageResult& result,
                  const compiler::FheProgram& program, std::ostream& out) {
  if (!options.fhe_layers) return;
  write_file_atomically(*options.fhe_layers, fhe_layers_csv(result, program));
  out << "Per-layer times written to " << options.fhe_layers->string() << "\n";
}

}  // namespace

FheStageSettings fhe_stage_settings(const app::Resnet18CliOptions& options) {
  FheStageSettings settings;
  settings.threads = options.threads;
  settings.use_gpu = options.use_gpu;
  settings.simulation.seed = options.simulation_seed;
  return settings;
}

void run_fhe_flow(const app::Resnet18CliOptions& options, const compiler::FheProgram& full_program,
                  const nn::quant::QuantizationConfig& config, const Tensor& calibration,
                  std::span<const LabelledImage> images, const MakeFoldedGraph& make_folded_graph,
                  std::ostream* progress, bool interactive, runtime::distributed::Session* session, std::ostream& out,
                  FheStageResult& result) {
  const std::size_t count = std::min(options.fhe_images, images.size());
  if (count < options.fhe_images)
    out << "\n--fhe-images " << options.fhe_images << ": only " << images.size()
        << " evaluation image(s); running them all under FHE\n";
  FheStageSettings settings = fhe_stage_settings(options);
  settings.simulation.rounding_method = config.rounding_method;
  settings.progress = progress;
  settings.interactive = interactive;
  settings.session = session;
  if (options.fhe_crop == 0) {
    run_fhe_stage(full_program, nullptr, images.first(count), settings, out, result);
    write_layers(options, result, full_program, out);
    return;
  }
  const std::int64_t crop = options.fhe_crop;
  if (progress)
    *progress << "Quantizing and compiling ResNet-18 for the " << crop << "x" << crop << " centre crop ("
              << calibration.shape.front() << " calibration crops)...\n";
  ThreadPool pool(options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency()));
  const compiler::FheProgram crop_program =
      compiler::compile_float_graph(make_folded_graph(crop), io::center_crop_tensor(calibration, crop), config,
                                    with_reads(options.compile, options.reads.of(fhe_mode(options))), pool);
  std::vector<LabelledImage> crops(count);
  for (std::size_t i = 0; i < count; ++i) {
    crops[i].key = images[i].key;
    crops[i].label = images[i].label;
    crops[i].image = io::center_crop_tensor(images[i].image, crop);
  }
  run_fhe_stage(crop_program, &full_program, crops, settings, out, result);
  write_layers(options, result, crop_program, out);
}

}  // namespace veil::app
