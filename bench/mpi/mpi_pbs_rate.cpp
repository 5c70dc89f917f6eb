// PBS/s of one batch split across the ranks of an MPI job, and the bytes it moved
// (docs/distributed.md). Every rank makes the same keys from a fixed seed (a benchmark only:
// the programs load one server key file). Rank 0 reports.
//   mpirun -np R mpi_pbs_rate [SET] [COUNT] [THREADS_PER_RANK] [REPEATS]
// Also times, on rank 0 alone, the key switch against the whole PBS: the figure behind
// shipping big-key ciphertexts rather than key-switching on rank 0.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/runtime/distributed.hpp"

using namespace veil;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  const std::string set = argc > 1 ? argv[1] : "v0_128_p5_L14_pe2m40";
  const std::size_t count = argc > 2 ? std::stoul(argv[2]) : 256;
  const std::size_t threads = argc > 3 ? std::stoul(argv[3]) : 1;
  const int repeats = argc > 4 ? std::stoi(argv[4]) : 2;
  const auto session = runtime::distributed::start_session(runtime::distributed::Options{600});
  session->run_or_abort([&] {
    const fhe::ParameterSet& params = fhe::parameter_set_by_name(set);
    ThreadPool pool(threads);
    fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(11);
    const auto start = Clock::now();
    const fhe::ClientKey client = fhe::make_client_key(params, rng);
    const fhe::IdentifiedServerKey keys{fhe::key_id_of(client), fhe::make_server_key(client, rng, pool), {}};
    const fhe::ServerKey& key = keys.key;
    const double keygen = since(start);
    session->require_same_identity("key " + keys.key_id.hex());
    const auto local = fhe::make_cpu_backend(pool);
    if (session->rank() != 0) return session->serve(keys, *local);

    const int bits = params.precision_bits;
    const fhe::LookupTable table = fhe::make_lookup_table(params.polynomial_size, bits, [bits](std::uint64_t x) {
      return fhe::encode_message(static_cast<std::int64_t>(x), bits, fhe::Signedness::unsigned_code);
    });
    const fhe::LookupTable* tables[] = {&table};
    fhe::LweCiphertextArray in(count, params.big_lwe_dimension()), out(count, params.big_lwe_dimension());
    for (std::size_t i = 0; i < count; ++i) fhe::encrypt_lwe(client, fhe::LweKeyKind::big, 0, rng, in[i]);

    fhe::LweCiphertextArray small(count, params.lwe_dimension);
    auto t = Clock::now();
    local->keyswitch_batch(key.keyswitch_key(), in, small);
    const double ks = since(t);
    t = Clock::now();
    local->programmable_bootstrap_batch(key, in, tables, out);
    const double pbs = since(t);
    std::printf("%s, %zu PBS, %zu thread(s) per rank, %d rank(s), keygen %.1f s\n", set.c_str(), count, threads,
                session->size(), keygen);
    std::printf("rank 0 alone: PBS %.1f PBS/s; its key switch %.1f%% of the PBS time\n", count / pbs, 100.0 * ks / pbs);

    const auto split = session->make_backend(*local, keys);
    split->programmable_bootstrap_batch(key, in, tables, out);  // first batch: equal shares, measures the rates
    const auto before = session->traffic();
    t = Clock::now();
    for (int r = 0; r < repeats; ++r) split->programmable_bootstrap_batch(key, in, tables, out);
    const double seconds = since(t);
    session->shutdown();
    const auto after = session->traffic();
    const double remote = static_cast<double>(after.remote_pbs - before.remote_pbs);
    std::printf("all ranks: %.1f PBS/s over %d batch(es) after the first\n", count * repeats / seconds, repeats);
    const auto stats = session->rank_stats();
    for (std::size_t r = 0; r < stats.size(); ++r)
      std::printf("  rank %zu: %llu PBS, last rate %.1f PBS/s\n", r, static_cast<unsigned long long>(stats[r].pbs),
                  stats[r].rate);
    if (remote > 0)
      std::printf(
          "bytes per remote PBS: %.0f (big-key ciphertext %zu B each way; a small-key one would be %zu B)\n",
          static_cast<double>(after.bytes_sent - before.bytes_sent + after.bytes_received - before.bytes_received) /
              remote,
          (params.big_lwe_dimension().value + 1) * 8, (params.lwe_dimension.value + 1) * 8);
  });
  return 0;
}
