#include <chrono>
#include <cstdio>

#include "veil/app/stages/quantized_stages.hpp"
#include "veil/app/stages/resnet18_fhe_flow.hpp"
#include "veil/common/error.hpp"

namespace veil::app {

nn::quant::QuantizationMode fhe_mode(const app::Resnet18CliOptions& options) {
  return runs_mode(options, nn::quant::QuantizationMode::Improved) ? nn::quant::QuantizationMode::Improved
                                                                   : nn::quant::QuantizationMode::ReferenceCompatible;
}

ModeCompiler::ModeCompiler(compiler::CompileOptions options, ModeReads reads, nn::quant::QuantizationMode fhe_mode,
                           std::ostream* progress)
    : options_(std::move(options)), reads_(reads), fhe_mode_(fhe_mode), progress_(progress) {}

void ModeCompiler::compile(nn::quant::QuantizationMode mode, const nn::quant::QuantizedCircuit& circuit,
                           nn::quant::SimulationSettings& simulation) {
  const std::string name = app::mode_name(mode);
  const ReadSettings& reads = reads_.of(mode);
  if (progress_) *progress_ << "Compiling the model (" << name << " mode, " << describe_p_error(reads) << ")...\n";
  const auto start = std::chrono::steady_clock::now();
  compiler::FheProgram program;
  try {
    program = compiler::compile_program(circuit, with_reads(options_, reads));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument("compiling the " + name + " mode's circuit: " + e.what());
  }
  if (progress_) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "Model compiled successfully (%s, %.1f s).\n", program.params.name.c_str(),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    *progress_ << buf;
  }
  compiler::simulate_as_compiled(program, simulation);
  if (mode == fhe_mode_) fhe_program_ = std::move(program);
}

const compiler::FheProgram& ModeCompiler::fhe_program() const {
  if (!fhe_program_)
    throw InvalidArgument("the " + app::mode_name(fhe_mode_) +
                          " mode's circuit was not compiled (the quantized "
                          "stages did not run it)");
  return *fhe_program_;
}

}  // namespace veil::app
