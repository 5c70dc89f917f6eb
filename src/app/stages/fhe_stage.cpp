#include "veil/app/stages/fhe_stage.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>

#include "veil/app/flags/backend_flag.hpp"
#include "veil/app/report/distributed_report.hpp"
#include "veil/app/report/fhe_report.hpp"
#include "veil/app/report/progress_bar.hpp"
#include "veil/app/stages/pbs_rate.hpp"
#include "veil/client/client.hpp"
#include "veil/common/error.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/runtime/published_client_spec.hpp"

namespace veil::app {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string side(const Shape& image_shape) {
  return std::to_string(image_shape.at(1)) + "x" + std::to_string(image_shape.at(2));
}

// PBS/s of each parameter set, measured once per process run of the stage.
using SetRates = std::map<std::string, double>;

// This machine's PBS/s on `program`: each partition's set calibrated on its own (with `keys`' key
// for the set when they hold one, else with throw-away keys of it), weighted by the partition's
// PBS count, so that the estimate stays honest when sets of different cost mix.
double program_pbs_rate(const compiler::FheProgram& program, const fhe::IdentifiedServerKey* keys, SetRates& rates,
                        fhe::Backend& backend, std::size_t count, const FheStageSettings& settings, ThreadPool& pool,
                        fhe::Csprng& rng) {
  std::vector<std::uint64_t> pbs(program.partitions.size(), 0);
  for (const compiler::PbsSite& site : program.pbs_sites) pbs[static_cast<std::size_t>(site.partition)] += site.count;
  double seconds = 0;
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < program.partitions.size(); ++i) {
    const fhe::ParameterSet& set = program.partitions[i];
    if (!rates.contains(set.name)) {
      const fhe::ServerKey* key = nullptr;
      for (std::size_t j = 0; keys && j < keys->partition_count(); ++j) {
        if (keys->partition(j).parameter_set_name() == set.name) key = &keys->partition(j);
      }
      if (key) {
        rates[set.name] = measure_pbs_rate(*key, backend, count, rng).per_second();
      } else {
        const fhe::ClientKey client = fhe::make_client_key(set, rng, settings.allow);
        rates[set.name] =
            measure_pbs_rate(fhe::make_server_key(client, rng, pool, settings.allow), backend, count, rng).per_second();
      }
    }
    if (rates[set.name] > 0) seconds += static_cast<double>(pbs[i]) / rates[set.name];
    total += pbs[i];
  }
  return seconds > 0 ? static_cast<double>(total) / seconds : 0.0;
}

std::vector<std::int64_t> top5(std::span<const float> logits) { return nn::make_top_k(logits, 5); }

Tensor as_batch(const Tensor& image, std::size_t copies = 1) {
  Shape shape{static_cast<std::int64_t>(copies)};
  shape.insert(shape.end(), image.shape.begin(), image.shape.end());
  std::vector<float> data;
  data.reserve(image.data.size() * copies);
  for (std::size_t c = 0; c < copies; ++c) data.insert(data.end(), image.data.begin(), image.data.end());
  return Tensor(shape, std::move(data));
}

// Simulation image numbers of the extra draws, far above any evaluation image's.
constexpr std::uint64_t kFirstDrawImage = std::uint64_t{1} << 40;

// How often each class comes out top-1 over `draws` more simulations of the image (fresh
// misreads each), most frequent first: one FHE run is one such draw, so near ties show here.
std::vector<std::pair<std::int64_t, std::size_t>> simulated_top1_counts(nn::quant::IntegerExecutor& executor,
                                                                        const Tensor& image,
                                                                        const nn::quant::SimulationSettings& simulation,
                                                                        std::uint64_t first_draw, std::size_t draws) {
  Tensor logits;
  executor.simulate(as_batch(image, draws), simulation, first_draw, logits);
  const std::size_t classes = logits.data.size() / draws;
  std::map<std::int64_t, std::size_t> counts;
  for (std::size_t d = 0; d < draws; ++d) {
    ++counts[nn::make_top_k(std::span<const float>(logits.data).subspan(d * classes, classes), 1).front()];
  }
  std::vector<std::pair<std::int64_t, std::size_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return sorted;
}

// Rank 0 of a distributed stage: the workers hold no model and no files of this run, so the key
// just made travels to them, then the backend over all ranks (docs/distributed.md).
std::unique_ptr<fhe::Backend> share_key(runtime::distributed::Session& session,
                                        const fhe::IdentifiedCompressedServerKey& sent,
                                        const fhe::IdentifiedServerKey& key, const compiler::FheProgram& program,
                                        fhe::Backend& local, std::ostream& out) {
  const auto start = Clock::now();
  const std::string fingerprint = compiler::circuit_fingerprint(program.circuit);
  const std::uint64_t bytes = session.send_server_key(sent, fingerprint);
  char buf[160];
  std::snprintf(buf, sizeof buf, "Server key broadcast to %d other rank(s): %s in %.2f s\n", session.size() - 1,
                format_bytes(bytes).c_str(), seconds_since(start));
  out << buf;
  return runtime::distributed::split_or_serve(session, key, fingerprint, local);
}

}  // namespace

void run_fhe_stage(const compiler::FheProgram& program, const compiler::FheProgram* full_image,
                   std::span<const LabelledImage> images, const FheStageSettings& settings, std::ostream& out,
                   FheStageResult& result) {
  const Shape& input_shape = program.circuit.node(0).shape;
  if (images.empty()) throw InvalidArgument("FHE stage: no image, expected at least 1");
  for (const LabelledImage& image : images)
    if (image.image.shape != input_shape)
      throw InvalidArgument("FHE stage: image '" + image.key + "' has shape " + to_string(image.image.shape) +
                            ", the program expects " + to_string(input_shape));
  const std::size_t threads = settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency());
  ThreadPool pool(threads);
  const std::unique_ptr<fhe::Backend> backend = make_backend_for_flags(settings.use_gpu, pool);
  fhe::Csprng rng = settings.insecure_seed_for_tests
                        ? fhe::Csprng::from_seed_insecure_for_tests(*settings.insecure_seed_for_tests)
                        : fhe::Csprng();
  result.statistics = compiler::make_statistics(program);
  const compiler::CircuitStatistics& stats = result.statistics;
  out << "\nFHE circuit (" << side(input_shape) << " input):\n" << compiler::statistics_summary(stats);

  out << "Generating keys (parameter set " << stats.parameter_set << ")...\n";
  out.flush();
  auto start = Clock::now();
  const client::Client client = client::Client::generate(runtime::make_client_spec(program), rng, settings.allow);
  fhe::IdentifiedCompressedServerKey compressed_key = client.make_compressed_server_key(rng, pool, settings.allow);
  fhe::IdentifiedServerKey server_key = compressed_key.decompress(pool);
  if (!settings.session) compressed_key = {};  // only other ranks need it
  result.keygen_seconds = seconds_since(start);
  const fhe::ParameterSet& params = program.params;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "Key generation took %.2f s: client key %zu + %zu secret bits; evaluation keys %s in memory "
                "(bootstrapping %s, key switching %s), %s as sent (compressed)\n",
                result.keygen_seconds, params.lwe_dimension.value, params.big_lwe_dimension().value,
                format_bytes(stats.bootstrap_key_bytes + stats.keyswitch_key_bytes).c_str(),
                format_bytes(stats.bootstrap_key_bytes).c_str(), format_bytes(stats.keyswitch_key_bytes).c_str(),
                format_bytes(stats.compressed_key_bytes).c_str());
  out << buf;
  std::unique_ptr<fhe::Backend> split;  // over all ranks of a distributed stage
  if (settings.session) split = share_key(*settings.session, compressed_key, server_key, program, *backend, out);

  const std::size_t count = settings.rate_pbs ? settings.rate_pbs : calibration_pbs_count(threads);
  SetRates rates;
  result.pbs_per_second = program_pbs_rate(program, &server_key, rates, *backend, count, settings, pool, rng);
  if (program.partitions.size() == 1) {
    std::snprintf(buf, sizeof buf, "PBS rate on this machine: %.1f PBS/s (%zu PBS on %s, %s backend: %s)\n",
                  result.pbs_per_second, count, stats.parameter_set.c_str(), std::string(backend->name()).c_str(),
                  backend->description().c_str());
    out << buf;
  } else {
    std::snprintf(buf, sizeof buf,
                  "PBS rate on this machine: %.1f PBS/s over %zu parameter sets (%zu PBS on each, "
                  "%s backend: %s):\n",
                  result.pbs_per_second, program.partitions.size(), count, std::string(backend->name()).c_str(),
                  backend->description().c_str());
    out << buf;
    for (const fhe::ParameterSet& set : program.partitions) {
      std::snprintf(buf, sizeof buf, "  %s: %.1f PBS/s\n", set.name.c_str(), rates[set.name]);
      out << buf;
    }
  }
  result.full_image_pbs = full_image ? compiler::make_statistics(*full_image).pbs : 0;
  result.full_image_pbs_per_second =
      full_image ? program_pbs_rate(*full_image, &server_key, rates, *backend, count, settings, pool, rng) : 0.0;
  if (full_image) {
    out << "Full " << side(full_image->circuit.node(0).shape)
        << " image: " << estimate_line(result.full_image_pbs, result.full_image_pbs_per_second) << "\n";
    out << "This run (" << side(input_shape) << " crop): ";
  }
  out << estimate_line(stats.pbs, result.pbs_per_second) << "\n";

  runtime::Server server(program, std::move(server_key), split ? *split : *backend, pool);
  nn::quant::IntegerExecutor executor(program.circuit, threads);
  nn::quant::SimulationSettings simulation = settings.simulation;
  compiler::simulate_as_compiled(program, simulation);

  out << "Processing " << images.size() << " image(s)...\n";
  result.images.clear();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const LabelledImage& image = images[i];
    FheImageResult r;
    r.key = image.key;
    r.label = image.label;
    out << "\nImage " << i + 1 << " (" << image.key << ", label " << image.label << "):\n  Running FHE execution...\n";
    out.flush();
    start = Clock::now();
    const fhe::SeededLweBatch input = client.encrypt(image.image, rng);
    r.encrypt_seconds = seconds_since(start);
    std::unique_ptr<app::ProgressBar> bar;
    if (settings.progress)
      bar = std::make_unique<app::ProgressBar>(*settings.progress, stats.pbs, "PBS", settings.interactive);
    const fhe::CiphertextBatch output = server.run(input, [&bar](std::uint64_t done, std::uint64_t) {
      if (bar) bar->update(done);
    });
    if (bar) bar->finish();
    r.server = server.last_run();
    start = Clock::now();
    const nn::quant::IntTensor integers = client.decrypt_integers(output);
    const Tensor logits = client.logits(integers);
    r.outputs_beyond_bound = client.outputs_beyond_bound(integers);
    r.decrypt_seconds = seconds_since(start);
    r.fhe_top5 = top5(logits.data);

    const Tensor batch = as_batch(image.image);
    Tensor simulated, clear;
    executor.simulate(batch, simulation, settings.first_simulation_image + i, simulated);
    r.simulation_top5 = top5(simulated.data);
    if (settings.simulation_draws > 0) {
      const std::uint64_t first_draw =
          kFirstDrawImage + (settings.first_simulation_image + i) * settings.simulation_draws;
      r.draw_top1 = simulated_top1_counts(executor, image.image, simulation, first_draw, settings.simulation_draws);
    }
    nn::quant::IntTensor clear_integers;
    executor.run_integers(batch, clear_integers);
    nn::quant::dequantize_output(program.circuit, clear_integers, clear);
    r.clear_top5 = top5(clear.data);
    if (integers.data.size() != clear_integers.data.size())
      throw InvalidArgument("FHE stage: the decrypted output has " + std::to_string(integers.data.size()) +
                            " integers, the program's output " + std::to_string(clear_integers.data.size()));
    for (std::size_t k = 0; k < integers.data.size(); ++k)
      r.outputs_off_clear += integers.data[k] != clear_integers.data[k];
    write_fhe_image(r, i + 1, out);
    out.flush();
    result.images.push_back(std::move(r));
  }
  result.peak_rss_bytes = process_peak_rss_bytes();
  write_fhe_summary(result, out);
  if (!split) return;
  out << "  backend: " << split->description() << "\n";
  report_ranks(*settings.session, out);
}

}  // namespace veil::app
