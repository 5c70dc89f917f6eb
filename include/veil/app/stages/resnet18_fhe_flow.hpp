#pragma once
// resnet18_fhe's stages on the compiled circuit: each quantization mode's circuit is compiled
// as the quantized stages build it (the simulation then draws at the program's per-node error
// probabilities), --export-statistics writes the FHE mode's statistics, and --run-fhe runs
// the FHE stage on the full image or, with --fhe-crop, on a centre crop.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <span>
#include <string>

#include "veil/app/flags/resnet18_fhe_options.hpp"
#include "veil/app/stages/fhe_stage.hpp"
#include "veil/common/tensor.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app {

/// The mode whose program the FHE stage runs and --export-statistics describes: improved
/// (fewer PBS) unless --quant-mode reference.
nn::quant::QuantizationMode fhe_mode(const app::Resnet18CliOptions& options);

/// Compiles each mode's circuit when the quantized stages hand it over (hook for
/// app::QuantizedStagesSettings::compiled_simulation) and keeps the FHE mode's program.
class ModeCompiler {
 public:
  /// Each mode compiles with `options` held to its `reads`.
  ModeCompiler(compiler::CompileOptions options, ModeReads reads, nn::quant::QuantizationMode fhe_mode,
               std::ostream* progress);

  /// Compiles `circuit` and sets `simulation` from the program (compiler::simulate_as_compiled).
  /// InvalidArgument naming the mode when the circuit does not compile.
  void compile(nn::quant::QuantizationMode mode, const nn::quant::QuantizedCircuit& circuit,
               nn::quant::SimulationSettings& simulation);

  /// The FHE mode's program; InvalidArgument when it was not compiled.
  const compiler::FheProgram& fhe_program() const;

  /// Compiles later circuits with these per-site targets (a per-site precision search's).
  void set_site_targets(std::map<std::string, double> p_error_by_node) {
    options_.p_error_by_node = std::move(p_error_by_node);
  }

 private:
  compiler::CompileOptions options_;
  ModeReads reads_;
  nn::quant::QuantizationMode fhe_mode_;
  std::ostream* progress_;
  std::optional<compiler::FheProgram> fhe_program_;
};

/// Writes the statistics as JSON to `path` (atomically) and the readable summary to `out`.
void export_statistics(const compiler::FheProgram& program, const std::filesystem::path& path, std::ostream& out);

/// BN-folded ResNet-18 built for S x S inputs (nn::make_resnet18's input_size).
using MakeFoldedGraph = std::function<nn::Graph(std::int64_t input_size)>;

/// The FHE stage's settings the flags give: threads, --use-gpu, the simulation's seed.
FheStageSettings fhe_stage_settings(const app::Resnet18CliOptions& options);

/// --run-fhe: the first options.fhe_images of `images` (all of them when fewer, with a note)
/// through run_fhe_stage. On `full_program` itself, or with --fhe-crop S on the program of
/// make_folded_graph(S) quantized with `config` on the S x S crops of `calibration` and run on
/// the images' crops (full_program's estimate printed first). images[i] is evaluation image i
/// (its simulation draws are those of the simulated stage). `session`: rank 0 of --distributed
/// (FheStageSettings::session); null otherwise.
void run_fhe_flow(const app::Resnet18CliOptions& options, const compiler::FheProgram& full_program,
                  const nn::quant::QuantizationConfig& config, const Tensor& calibration,
                  std::span<const LabelledImage> images, const MakeFoldedGraph& make_folded_graph,
                  std::ostream* progress, bool interactive, runtime::distributed::Session* session, std::ostream& out,
                  FheStageResult& result);

}  // namespace veil::app
