#pragma once
// The MPI implementation of distributed::Session. Only the thread that made the session
// calls MPI (MPI_THREAD_FUNNELED); rank 0 waits on workers by polling non-blocking calls
// against a deadline, so that a stuck rank is reported instead of hanging the job.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "veil/runtime/distributed.hpp"

namespace veil::runtime::distributed {

class MpiSession final : public Session {
 public:
  explicit MpiSession(const Options& options);
  ~MpiSession() override;
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  void require_same_identity(const std::string& identity) override;
  std::uint64_t send_server_key(const fhe::IdentifiedCompressedServerKey& key,
                                const std::string& model_fingerprint) override;
  std::optional<SharedKey> receive_server_key(const fhe::LoadLimits& limits) override;
  std::unique_ptr<fhe::Backend> make_backend(fhe::Backend& local, const fhe::IdentifiedServerKey& key) override;
  void serve(const fhe::IdentifiedServerKey& key, fhe::Backend& local) override;
  void shutdown() override;
  void run_or_abort(const std::function<void()>& body) override;
  std::vector<RankStats> rank_stats() const override { return stats_; }
  Traffic traffic() const override { return traffic_; }

  // For the splitting backend (rank 0).
  double timeout_seconds() const { return options_.rank_timeout_seconds; }
  std::vector<RankStats>& mutable_stats() { return stats_; }
  Traffic& mutable_traffic() { return traffic_; }

  /// Polls `source`'s reply to `batch` until the deadline; throws Error naming the rank and batch
  /// on timeout or on an error reply.
  std::vector<std::uint64_t> receive_reply(int source, std::uint64_t batch,
                                           std::chrono::steady_clock::time_point deadline);

 private:
  // Sends a header-only command (shutdown, server key) to every worker.
  void command_workers(std::uint64_t op);

  Options options_;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  bool shut_down_ = false;
  std::vector<RankStats> stats_;
  Traffic traffic_;
};

/// Rank 0's backend over `session` (mpi_split_backend.cpp).
std::unique_ptr<fhe::Backend> make_split_backend(MpiSession& session, fhe::Backend& local,
                                                 const fhe::IdentifiedServerKey& key);

}  // namespace veil::runtime::distributed
