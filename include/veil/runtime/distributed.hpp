#pragma once
// One evaluation across the ranks of an MPI job (docs/distributed.md). Rank 0 runs the
// server's stage plan; every PBS or key-switch batch is split across all ranks (rank 0
// included) in proportion to each rank's measured rate, and the results are gathered in
// order. Workers serve batches with their own local backend until rank 0 shuts them down.
// Built only with MPI (VEIL_MPI, cmake/VeilMpi.cmake); otherwise start_session() refuses.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::runtime::distributed {

struct Options {
  /// How long rank 0 waits for a rank to take its share of a batch, and for its reply once
  /// rank 0 has finished its own share, before it stops the whole job; seconds.
  double rank_timeout_seconds = 600.0;
};

/// What one rank did during a session, for rank 0's report.
struct RankStats {
  std::uint64_t pbs = 0;
  std::uint64_t keyswitches = 0;
  double busy_seconds = 0.0;  // time inside its local backend
  double rate = 0.0;          // last measured PBS/s, the weight of its next share
};

/// Bytes rank 0 exchanged with the workers: ciphertexts, tables and headers both ways.
struct Traffic {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t remote_pbs = 0;  // PBS evaluated on ranks other than 0
};

/// A server key made on rank 0 and broadcast to a worker, with the fingerprint of the model
/// rank 0 compiled (Session::receive_server_key).
struct SharedKey {
  fhe::IdentifiedServerKey key;
  std::string model_fingerprint;
};

class Session {
 public:
  virtual ~Session() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// This rank's index among the job's ranks on the same machine (0 .. ranks there - 1): with
  /// --use-gpu each rank takes the GPU of that index (modulo the GPUs it sees).
  virtual int local_rank() const = 0;

  /// Collective: every rank passes what identifies its keys and model ("key <id> sets <names of
  /// every partition> model <fingerprint>"); rank 0 throws InvalidArgument naming the first rank
  /// that differs.
  virtual void require_same_identity(const std::string& identity) = 0;

  /// Rank 0, for a program that makes its keys in memory (resnet18_fhe) rather than load them
  /// from a shared path (veil_fhe run): broadcasts `key`, compressed and serialized as its file
  /// is (each worker decompresses it), and the model's fingerprint to every worker, in chunks,
  /// waiting at most the rank timeout for each. Returns the bytes broadcast. Pairs with
  /// receive_server_key.
  virtual std::uint64_t send_server_key(const fhe::IdentifiedCompressedServerKey& key,
                                        const std::string& model_fingerprint) = 0;

  /// Workers: waits, without a deadline (rank 0 may spend minutes before it has keys), for
  /// rank 0's send_server_key and loads the key with the checks of a key file (`limits`, the
  /// checksum); nullopt when rank 0 shut down instead.
  virtual std::optional<SharedKey> receive_server_key(const fhe::LoadLimits& limits) = 0;

  /// Rank 0: a backend that splits each batch across all ranks, running rank 0's share on
  /// `local`; each batch names the partition of `key` whose keys it runs with (the PBS's by its
  /// set, a key switch by its key's shape, which must then be one partition's only). Keeps
  /// references to the session and `local`, copies only the partitions' names and shapes.
  virtual std::unique_ptr<fhe::Backend> make_backend(fhe::Backend& local, const fhe::IdentifiedServerKey& key) = 0;

  /// Workers: evaluate the batches rank 0 sends with the partition of `key` each names, on
  /// `local`, until it shuts down.
  virtual void serve(const fhe::IdentifiedServerKey& key, fhe::Backend& local) = 0;

  /// Rank 0: tell the workers to stop (after the last batch).
  virtual void shutdown() = 0;

  /// Runs `body`; an exception on any rank prints "veil rank R: <message>" and stops the whole
  /// job (MPI_Abort), so that no rank waits for one that has failed.
  virtual void run_or_abort(const std::function<void()>& body) = 0;

  virtual std::vector<RankStats> rank_stats() const = 0;
  virtual Traffic traffic() const = 0;
};

/// Collective, before any batch: every rank names its key (id and every partition's set) and
/// the model's fingerprint (require_same_identity). Then workers serve rank 0's batches with
/// `local` until it shuts down and get null; rank 0 gets make_backend(local, key).
std::unique_ptr<fhe::Backend> split_or_serve(Session& session, const fhe::IdentifiedServerKey& key,
                                             const std::string& model_fingerprint, fhe::Backend& local);

/// True when this build has MPI.
bool available();

/// Joins the MPI job (MPI_Init); InvalidArgument "veil was built without MPI" when !available().
/// One session per process.
std::unique_ptr<Session> start_session(const Options& options);

}  // namespace veil::runtime::distributed
