// Run under mpirun by tests/scripts/mpi_check.sh (not a gtest suite: every rank runs this main).
// The small CNN of the runtime tests on the insecure toy set at p_error 2^-40, evaluated with
// the batches split across all ranks. Rank 0 checks that the output decrypts to the integer
// executor's output (what the single-process run decrypts to, tests/runtime/server_exact_test;
// byte equality with a single-process run is mpi_cli_check's), then writes it to OUT (only
// when everything passed: a failed job leaves no file).
//   mpi_server_check exact OUT      every rank uses the same keys
//   mpi_server_check mismatch OUT   rank 1 uses other keys: rank 0 must refuse before any work
//   mpi_server_check partitions OUT the sites alternate between two toy partitions (n 256, 192),
//                                   each rank holding both partitions' keys: batches name theirs
#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/runtime_test_support.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/runtime/distributed.hpp"
#include "veil/runtime/server.hpp"

using namespace veil;
using namespace veil::runtime::testing;

namespace {

constexpr std::int64_t kSize = 8;
constexpr nn::quant::NBits kBits{3, 2, 2, 8};
constexpr const char* kToySet = "insecure_toy_p6";

void check(bool ok, const std::string& what) {
  if (!ok) throw Error("mpi_server_check: " + what);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc == 3 ? argv[1] : "";
  if (mode != "exact" && mode != "mismatch" && mode != "partitions") {
    std::fprintf(stderr, "usage: mpi_server_check exact|mismatch|partitions OUT\n");
    return 64;
  }
  const bool mismatch = mode == "mismatch";
  runtime::distributed::Options options;
  if (const char* t = std::getenv("VEIL_MPI_CHECK_TIMEOUT")) options.rank_timeout_seconds = std::stod(t);  // seconds
  const auto session = runtime::distributed::start_session(options);
  session->run_or_abort([&] {
    // mpirun starts every rank of these checks on this machine: their machine-local indices
    // (which pick each rank's GPU under --use-gpu) are then their ranks.
    check(session->local_rank() == session->rank(), "rank " + std::to_string(session->rank()) + " has local index " +
                                                        std::to_string(session->local_rank()) + " on one machine");
    const auto& circuit = small_circuit(nn::quant::QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
    compiler::FheProgram program = compiler::compile_program(circuit, forced_set(kToySet));
    TestKeys keys = test_keys(kToySet, mismatch && session->rank() == 1 ? 2 : 1);
    if (mode == "partitions") {
      // Seeded: every rank makes the same second partition's keys.
      program.partitions.push_back(fhe::parameter_set_by_name("insecure_toy_p6_n192"));
      for (std::size_t i = 0; i < program.pbs_sites.size(); ++i)
        program.pbs_sites[i].partition = static_cast<int>(i % 2);
      fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(31);
      const fhe::ClientKey partition =
          fhe::make_partition_client_key(keys.client, program.partitions[1], rng, fhe::AllowInsecure::for_tests);
      keys.server.partition_keys.push_back(
          fhe::make_server_key(partition, rng, test_pool(), fhe::AllowInsecure::for_tests));
    }
    const auto local = fhe::make_cpu_backend(test_pool());
    const auto split =
        runtime::distributed::split_or_serve(*session, keys.server, compiler::circuit_fingerprint(circuit), *local);
    if (!split) return;  // a worker, done serving
    const Tensor image = image_at(small_images(1, kSize), 0);
    const fhe::SeededLweBatch input = encrypt_image(program, keys.client, image, 7);
    runtime::Server distributed(program, keys.server, *split, test_pool());
    const fhe::CiphertextBatch out = distributed.run(input, {});
    session->shutdown();

    check(decrypt_integers(keys.client, out.ciphertexts, program.output.exponent) == clear_integers(circuit, image),
          "distributed output does not decrypt to the integer executor's");
    const auto stats = session->rank_stats();
    std::uint64_t pbs = 0;
    for (std::size_t r = 0; r < stats.size(); ++r) {
      std::printf("rank %zu: %llu PBS, %llu key switches, busy %.2f s, last rate %.0f PBS/s\n", r,
                  static_cast<unsigned long long>(stats[r].pbs), static_cast<unsigned long long>(stats[r].keyswitches),
                  stats[r].busy_seconds, stats[r].rate);
      pbs += stats[r].pbs;
    }
    check(pbs == distributed.last_run().pbs, "per-rank PBS counts do not add up to the run's");
    const auto traffic = session->traffic();
    if (traffic.remote_pbs)
      std::printf("traffic: %.0f bytes per remote PBS (sent %llu, received %llu)\n",
                  static_cast<double>(traffic.bytes_sent + traffic.bytes_received) / traffic.remote_pbs,
                  static_cast<unsigned long long>(traffic.bytes_sent),
                  static_cast<unsigned long long>(traffic.bytes_received));
    fhe::save_ciphertext_batch_file(out, argv[2]);
    std::printf("mpi_server_check: %d rank(s) decrypt to the integer executor's output (%llu PBS)\n", session->size(),
                static_cast<unsigned long long>(pbs));
  });
  return 0;
}
