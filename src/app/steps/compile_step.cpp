#include <chrono>
#include <cstdio>
#include <thread>

#include "veil/app/process/blas_memory.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/common/file_io.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/runtime/compile_options_file.hpp"
#include "veil/runtime/published_client_spec.hpp"

namespace veil::app {

void compile_step(const nn::Graph& folded_graph, const Tensor& calibration, const nn::quant::QuantizationConfig& config,
                  const compiler::CompileOptions& options, std::size_t threads, const std::filesystem::path& out_dir,
                  std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  ThreadPool pool(threads ? threads : std::max(1u, std::thread::hardware_concurrency()));
  app::reserve_blas_buffers(pool);  // calibration runs OpenBLAS on every thread: fail here, never hang in it
  // Everything is computed before the first file is written.
  const compiler::FheProgram program =
      compiler::compile_program(nn::quant::make_quantized_circuit(folded_graph, calibration, config, pool), options);
  const std::string fingerprint = compiler::circuit_fingerprint(program.circuit);
  const compiler::CircuitStatistics stats = compiler::make_statistics(program);
  const std::string options_json = runtime::compile_options_json(runtime::record_compile_options(program, fingerprint));
  const client::ClientSpec spec = runtime::make_client_spec(program);

  std::filesystem::create_directories(out_dir);
  compiler::save_quantized_circuit_file(program.circuit, out_dir / kModelFile);
  write_file_atomically(out_dir / kCompileOptionsFile, options_json);
  client::save_client_spec_file(spec, out_dir / kClientSpecFile);
  write_file_atomically(out_dir / kStatisticsFile, compiler::statistics_json(stats));

  out << compiler::statistics_summary(stats);
  char buf[160];
  std::snprintf(buf, sizeof buf, "compile took %.1f s (%lld calibration image(s)); model fingerprint %s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                static_cast<long long>(calibration.shape.at(0)), fingerprint.c_str());
  out << buf;
  for (const char* name : {kModelFile, kCompileOptionsFile, kClientSpecFile, kStatisticsFile})
    out << "  " << describe_file(out_dir / name) << "\n";
}

}  // namespace veil::app
