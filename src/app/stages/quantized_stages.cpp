#include "veil/app/stages/quantized_stages.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/quant/quantize_graph.hpp"

namespace veil::app {
namespace {

std::size_t thread_count(const QuantizedStagesSettings& settings) {
  return settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency());
}

std::unique_ptr<ProgressBar> make_bar(const QuantizedStagesSettings& settings, const std::string& stage,
                                      std::size_t total) {
  if (!settings.progress) return nullptr;
  *settings.progress << stage << "\n";
  return std::make_unique<ProgressBar>(*settings.progress, total, "images", settings.interactive);
}

}  // namespace

std::string mode_name(nn::quant::QuantizationMode mode) {
  return mode == nn::quant::QuantizationMode::ReferenceCompatible ? "reference" : "improved";
}

nn::quant::QuantizationConfig make_config(const QuantizedStagesSettings& settings, nn::quant::QuantizationMode mode) {
  nn::quant::QuantizationConfig config = with_reads(settings.quantization, settings.reads.of(mode));
  config.mode = mode;
  return config;
}

void run_quantized_stages(const nn::Graph& folded_graph, const Tensor& calibration,
                          std::span<const LabelledImage> images, const nn::Fp32EvaluationResult& fp32,
                          const QuantizedStagesSettings& settings, const std::vector<std::string>& class_names,
                          std::vector<QuantizedModeReport>& reports) {
  const std::size_t threads = thread_count(settings);
  ThreadPool pool(threads);
  for (const nn::quant::QuantizationMode mode : settings.modes) {
    QuantizedModeReport report;
    report.name = mode_name(mode);
    report.config = make_config(settings, mode);
    const ReadSettings& reads = settings.reads.of(mode);
    report.reads = reads;
    if (settings.progress)
      *settings.progress << "Quantizing (" << report.name << " mode, " << describe_config(report.config) << ", "
                         << calibration.shape.front() << " calibration images)...\n";
    const auto start = std::chrono::steady_clock::now();
    nn::quant::IntegerExecutor executor(
        nn::quant::make_quantized_circuit(folded_graph, calibration, report.config, pool), threads);
    report.quantize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.pbs = nn::quant::make_pbs_account(executor.circuit());

    auto bar = make_bar(settings, "Clear quantized model (" + report.name + ")", images.size());
    nn::evaluate_quantized(executor, images, fp32.images, nullptr, settings.batch_size, class_names,
                           progress_callback(bar.get()), report.clear);
    if (bar) bar->finish();
    if (settings.simulate) {
      nn::quant::SimulationSettings simulation;
      simulation.p_error = reads.p_error;
      simulation.p_error_bits = reads.p_error_bits;
      simulation.seed = settings.simulation_seed;
      simulation.rounding_method = settings.quantization.rounding_method;
      std::string rate = describe_p_error(reads);
      if (settings.compiled_simulation) {
        settings.compiled_simulation(mode, executor.circuit(), simulation);
        report.compiled_p_errors = true;
        for (const auto& [node, p] : simulation.p_error_by_node) report.p_error = std::max(report.p_error, p);
        rate = "compiled per-PBS p_error";
      }
      bar = make_bar(settings, "FHE simulation (" + report.name + ", " + rate + ")", images.size());
      report.simulated.emplace();
      nn::evaluate_quantized(executor, images, fp32.images, &simulation, settings.batch_size, class_names,
                             progress_callback(bar.get()), *report.simulated);
      if (bar) bar->finish();
    }
    reports.push_back(std::move(report));
  }
}

EvaluateSweepCell make_sweep_cell_evaluator(const nn::Graph& folded_graph, const Tensor& calibration,
                                            std::span<const LabelledImage> images, const nn::Fp32EvaluationResult& fp32,
                                            const QuantizedStagesSettings& settings, nn::quant::QuantizationMode mode) {
  return [&folded_graph, &calibration, images, &fp32, settings, mode](SweepCell& cell) {
    nn::quant::QuantizationConfig config = make_config(settings, mode);
    const int n = cell.n_bits;
    config.n_bits = {std::max(5, n), n, n, std::max(5, n)};
    config.rounding_bits = cell.rounding_bits;
    const std::size_t threads = thread_count(settings);
    ThreadPool pool(threads);
    nn::quant::IntegerExecutor executor(nn::quant::make_quantized_circuit(folded_graph, calibration, config, pool),
                                        threads);
    nn::QuantizedStageResult result;
    nn::evaluate_quantized(executor, images, fp32.images, nullptr, settings.batch_size, {}, nullptr, result);
    cell.images = result.images.size();
    cell.top1 = result.accuracy.top1();
    cell.top5 = result.accuracy.top5();
    cell.fp32_agreement = result.fp32_agreement();
  };
}

}  // namespace veil::app
