#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include "veil/app/flags/backend_flag.hpp"
#include "veil/app/report/distributed_report.hpp"
#include "veil/app/report/fhe_report.hpp"
#include "veil/app/report/progress_bar.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client_spec.hpp"
#include "veil/common/error.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/runtime/compile_options_file.hpp"
#include "veil/runtime/published_client_spec.hpp"
#include "veil/runtime/server.hpp"

namespace veil::app {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The program compile published: model.qcir compiled with the options recorded beside it,
// checked against the client spec beside it. The options come first: they say how large the
// model is, so a model file (or pipe) declaring more is refused from its header.
compiler::FheProgram load_program(const std::filesystem::path& model, fhe::AllowInsecure allow,
                                  client::SpecLoadLimits& limits) {
  const std::filesystem::path options_file = model.parent_path() / kCompileOptionsFile;
  runtime::RecordedCompileOptions recorded;
  try {
    recorded = runtime::parse_compile_options(read_text_file(options_file));
  } catch (const FormatError& e) {
    throw FormatError(options_file.string() + ": " + e.what());
  }
  nn::quant::QuantizedCircuit circuit;
  try {
    circuit = compiler::load_quantized_circuit_file(model, recorded.model_payload_bytes);
  } catch (const FormatError& e) {
    throw FormatError(model.string() + ": " + e.what() + " (" + options_file.string() + " records a payload of " +
                      std::to_string(recorded.model_payload_bytes) + " bytes)");
  }
  if (recorded.program_fingerprint != compiler::circuit_fingerprint(circuit))
    throw InvalidArgument(options_file.string() + " was written for another model (fingerprint " +
                          recorded.program_fingerprint + ", " + model.string() + " has " +
                          compiler::circuit_fingerprint(circuit) + ")");
  compiler::FheProgram program =
      compiler::compile_program(std::move(circuit), runtime::to_compile_options(recorded, allow));
  const client::ClientSpec spec = client::load_client_spec_file(model.parent_path() / kClientSpecFile);
  runtime::require_matching_spec(spec, program);
  limits = load_limits(spec);
  limits.server_key.allow = allow;  // toy sets only where the program itself was allowed them
  return program;
}

// One process, or one rank of `session`'s job: workers serve rank 0's batches and return.
void run_one(const std::filesystem::path& model, const std::filesystem::path& server_key,
             const std::filesystem::path& input, const std::filesystem::path& out_file, std::size_t threads,
             bool use_gpu, fhe::AllowInsecure allow, std::ostream* progress, bool interactive, std::ostream& out,
             runtime::distributed::Session* session) {
  auto start = Clock::now();
  ThreadPool pool(threads ? threads : std::max(1u, std::thread::hardware_concurrency()));
  const std::unique_ptr<fhe::Backend> backend =
      make_backend_for_flags(use_gpu, pool, session ? session->local_rank() : 0);
  client::SpecLoadLimits limits;  // what the program's spec says each file holds
  compiler::FheProgram program = load_program(model, allow, limits);
  fhe::IdentifiedServerKey key = fhe::load_server_key_file(server_key, limits.server_key);
  const fhe::SeededLweBatch batch = fhe::load_seeded_lwe_batch_file(input, limits.input);
  fhe::require_same_key(batch, key);
  std::unique_ptr<fhe::Backend> split;  // rank 0 of a distributed run: over all ranks
  if (session) {
    split =
        runtime::distributed::split_or_serve(*session, key, compiler::circuit_fingerprint(program.circuit), *backend);
    if (!split) return;  // a worker, done serving
  }
  const double load_seconds = seconds_since(start);

  const std::uint64_t total_pbs = compiler::make_statistics(program).pbs;
  runtime::Server server(std::move(program), std::move(key), split ? *split : *backend, pool);
  std::unique_ptr<app::ProgressBar> bar;
  if (progress) bar = std::make_unique<app::ProgressBar>(*progress, total_pbs, "PBS", interactive);
  const fhe::CiphertextBatch output = server.run(batch, [&bar](std::uint64_t done, std::uint64_t) {
    if (bar) bar->update(done);
  });
  if (bar) bar->finish();
  if (session) session->shutdown();
  fhe::save_ciphertext_batch_file(output, out_file);

  const runtime::ServerRunStats& stats = server.last_run();
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "run took %.1f s (loading and compiling %.1f s, evaluation %.1f s: %llu PBS, %.1f PBS/s, %s "
                "backend); peak resident ciphertexts %s\n",
                seconds_since(start), load_seconds, stats.seconds, static_cast<unsigned long long>(stats.pbs),
                stats.seconds > 0 ? static_cast<double>(stats.pbs) / stats.seconds : 0.0,
                std::string((split ? *split : *backend).name()).c_str(),
                format_bytes(stats.peak_resident_bytes).c_str());
  out << buf << "  backend: " << (split ? *split : *backend).description() << "\n";
  if (session) report_ranks(*session, out);
  for (const auto& path : {model, server_key, input, out_file}) out << "  " << describe_file(path) << "\n";
}

}  // namespace

void run_step(const std::filesystem::path& model, const std::filesystem::path& server_key,
              const std::filesystem::path& input, const std::filesystem::path& out_file, std::size_t threads,
              bool use_gpu, fhe::AllowInsecure allow, std::ostream* progress, bool interactive, std::ostream& out,
              const runtime::distributed::Options* distributed) {
  if (!distributed)
    return run_one(model, server_key, input, out_file, threads, use_gpu, allow, progress, interactive, out, nullptr);
  const std::unique_ptr<runtime::distributed::Session> session = runtime::distributed::start_session(*distributed);
  session->run_or_abort([&] {
    run_one(model, server_key, input, out_file, threads, use_gpu, allow, progress, interactive, out, session.get());
  });
}

}  // namespace veil::app
