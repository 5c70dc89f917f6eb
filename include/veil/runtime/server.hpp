#pragma once
// The server side: evaluates a compiled program on one encrypted image with evaluation keys
// only (this header and its sources never see a ClientKey).
//
// Memory: values are produced row by row (a row = all channels and columns of one output
// line of a [C, H, W] value) and a row is freed as soon as every reader has passed it, so
// only a few rows of each value are resident (line buffers); [F] values are whole. Within a
// row, linear outputs are computed in parallel and all its PBS go to the backend as one batch.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "veil/common/thread_pool.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::runtime {

namespace detail {
struct StagePlan;
}

struct NodeRunStats {
  std::string name;
  std::uint64_t pbs = 0;
  double seconds = 0;  // wall time spent computing this node's rows
};

struct ServerRunStats {
  std::vector<NodeRunStats> nodes;  // circuit order
  std::uint64_t pbs = 0;
  double seconds = 0;
  std::uint64_t peak_resident_bytes = 0;  // largest total of resident ciphertext rows
};

/// Called after each batch of PBS with (PBS done, PBS total) for progress bars.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

class Server {
 public:
  /// `key` holds one key per partition of the program (key.partition(i) on program.partitions[i];
  /// for a multi-parameter program each its own small key under the shared GLWE key,
  /// fhe::make_partition_client_key). InvalidArgument otherwise. Keeps references to backend and pool.
  Server(compiler::FheProgram program, fhe::IdentifiedServerKey key, fhe::Backend& backend, ThreadPool& pool);

  /// Evaluates the program on one encrypted image (input value of the program, seeded as
  /// the client sends it) and returns the encrypted output value, bound like the input to the
  /// program's client spec. Throws InvalidArgument on mismatched keys, parameter sets or sizes,
  /// and on an input encrypted for another spec (naming both digests).
  fhe::CiphertextBatch run(const fhe::SeededLweBatch& input, const ProgressCallback& progress = {});

  /// Statistics of the last run.
  const ServerRunStats& last_run() const { return stats_; }
  const compiler::FheProgram& program() const { return program_; }
  const fhe::KeyId& key_id() const { return key_.key_id; }
  /// spec_digest(make_client_spec(program())): the context tag of the inputs it runs.
  const fhe::ContextTag& context() const { return context_; }

 private:
  compiler::FheProgram program_;
  fhe::IdentifiedServerKey key_;
  fhe::ContextTag context_;
  fhe::Backend& backend_;
  ThreadPool& pool_;
  std::shared_ptr<const detail::StagePlan> plan_;  // stages, row layouts and PBS tables
  ServerRunStats stats_;
};

}  // namespace veil::runtime
