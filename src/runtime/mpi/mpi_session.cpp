#include "runtime/mpi/mpi_session.hpp"

#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <istream>
#include <ostream>
#include <thread>

#include "runtime/mpi/mpi_key_stream.hpp"
#include "runtime/mpi/mpi_wire.hpp"
#include "veil/common/error.hpp"
#include "veil/common/line_reader.hpp"

namespace veil::runtime::distributed {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kIdentityBytes = 512;
// Between polls: short against a batch (tens of ms at least), long enough to leave the cores
// to the rank's own backend when ranks share a machine.
constexpr auto kPollInterval = std::chrono::microseconds(500);

// Test-only fault injection (tests/scripts/mpi_check.sh): VEIL_MPI_TEST_FAULT=<rank>:<batch>:<kind>
// makes that worker exit without MPI_Finalize, hang, or fail when it receives that batch.
struct Fault {
  int rank = -1;
  std::uint64_t batch = 0;
  std::string kind;
};

Fault fault_from_environment() {
  Fault f;
  const char* text = std::getenv("VEIL_MPI_TEST_FAULT");
  if (!text) return f;
  char kind[16] = {};
  unsigned long long batch = 0;
  if (std::sscanf(text, "%d:%llu:%15s", &f.rank, &batch, kind) != 3) return Fault{};
  f.batch = batch;
  f.kind = kind;
  return f;
}

void inject(const Fault& fault, int rank, std::uint64_t batch) {
  if (fault.rank != rank || fault.batch != batch) return;
  std::fprintf(stderr, "veil rank %d: test fault '%s' at batch %llu\n", rank, fault.kind.c_str(),
               static_cast<unsigned long long>(batch));
  std::fflush(stderr);
  if (fault.kind == "exit") std::_Exit(3);
  if (fault.kind == "hang") {
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  if (fault.kind == "throw") throw Error("test fault injected");
}

// Receives one message of 64-bit words from `source` with `tag`, polling; false at the deadline.
bool poll_receive(int source, int tag, std::vector<std::uint64_t>& words, Clock::time_point deadline) {
  for (;;) {
    int ready = 0;
    MPI_Status status;
    MPI_Iprobe(source, tag, MPI_COMM_WORLD, &ready, &status);
    if (ready) {
      int count = 0;
      MPI_Get_count(&status, MPI_UINT64_T, &count);
      words.resize(static_cast<std::size_t>(count));
      MPI_Recv(words.data(), count, MPI_UINT64_T, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

MpiSession::MpiSession(const Options& options) : options_(options) {
  if (!(options.rank_timeout_seconds > 0))
    throw InvalidArgument("--rank-timeout: must be a positive number of seconds");
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) throw InvalidArgument("distributed: one MPI session per process");
  int provided = 0;
  MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm same_machine = MPI_COMM_NULL;  // the ranks that share this machine's memory
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &same_machine);
  MPI_Comm_rank(same_machine, &local_rank_);
  MPI_Comm_free(&same_machine);
  stats_.assign(static_cast<std::size_t>(size_), RankStats{});
}

MpiSession::~MpiSession() {
  // Rank 0 shuts the workers down before returning; workers return from serve() only then.
  MPI_Finalize();
}

void MpiSession::require_same_identity(const std::string& identity) {
  std::vector<char> mine(kIdentityBytes, '\0');
  std::memcpy(mine.data(), identity.data(), std::min(identity.size(), kIdentityBytes - 1));
  std::vector<char> all(rank_ == 0 ? kIdentityBytes * static_cast<std::size_t>(size_) : 0);
  MPI_Gather(mine.data(), static_cast<int>(kIdentityBytes), MPI_CHAR, all.data(), static_cast<int>(kIdentityBytes),
             MPI_CHAR, 0, MPI_COMM_WORLD);
  if (rank_ != 0) return;
  for (int r = 1; r < size_; ++r) {
    const std::string theirs(all.data() + static_cast<std::size_t>(r) * kIdentityBytes);
    if (theirs != std::string(mine.data()))
      throw InvalidArgument("distributed: rank " + std::to_string(r) + " loaded different keys or model (" + theirs +
                            "; rank 0 has " + std::string(mine.data()) +
                            "): every rank must load the same server key and model files");
  }
}

std::unique_ptr<fhe::Backend> MpiSession::make_backend(fhe::Backend& local, const fhe::IdentifiedServerKey& key) {
  if (rank_ != 0) throw InvalidArgument("distributed: only rank 0 splits batches");
  return make_split_backend(*this, local, key);
}

void MpiSession::serve(const fhe::IdentifiedServerKey& keys, fhe::Backend& local) {
  const Fault fault = fault_from_environment();
  std::vector<std::uint64_t> command;
  for (;;) {
    poll_receive(0, wire::kCommandTag, command, Clock::time_point::max());
    if (command.size() < wire::kCommandHeaderWords) throw FormatError("distributed: short command from rank 0");
    const std::uint64_t op = command[0], batch = command[1], count = command[2];
    if (op == wire::kShutdown) return;
    std::vector<std::uint64_t> reply;
    try {
      inject(fault, rank_, batch);
      if (command[wire::kPartitionWord] >= keys.partition_count())
        throw FormatError("distributed: batch for partition " + std::to_string(command[wire::kPartitionWord]) +
                          ", this rank holds the keys of " + std::to_string(keys.partition_count()));
      const fhe::ServerKey& key = keys.partition(command[wire::kPartitionWord]);
      const fhe::LweDimension in_dim(command[3]), out_dim(command[4]);
      std::size_t at = wire::kCommandHeaderWords;
      std::vector<fhe::LookupTable> tables;
      for (std::uint64_t t = 0; t < command[5]; ++t) {
        const int precision = static_cast<int>(command.at(at));
        const std::size_t n = command.at(at + 1);
        if (at + 2 + n > command.size()) throw FormatError("distributed: truncated table");
        tables.emplace_back(precision,
                            std::vector<fhe::Torus>(command.begin() + static_cast<std::ptrdiff_t>(at + 2),
                                                    command.begin() + static_cast<std::ptrdiff_t>(at + 2 + n)));
        at += 2 + n;
      }
      std::vector<const fhe::LookupTable*> per_ct;
      if (op == wire::kPbs) {
        for (std::uint64_t i = 0; i < count; ++i) per_ct.push_back(&tables.at(command.at(at + i)));
        at += count;
      }
      fhe::LweCiphertextArray inputs(count, in_dim);
      if (command.size() != at + inputs.data().size()) throw FormatError("distributed: command of the wrong size");
      std::copy(command.begin() + static_cast<std::ptrdiff_t>(at), command.end(), inputs.data().begin());
      fhe::LweCiphertextArray outputs(count, out_dim);
      const auto start = Clock::now();
      if (op == wire::kPbs)
        local.programmable_bootstrap_batch(key, inputs, per_ct, outputs);
      else
        local.keyswitch_batch(key.keyswitch_key(), inputs, outputs);
      const double busy = seconds(start, Clock::now());
      reply = {wire::kOk, batch, static_cast<std::uint64_t>(busy * 1e9)};
      reply.insert(reply.end(), outputs.data().begin(), outputs.data().end());
    } catch (const std::exception& e) {
      reply = wire::error_reply(batch, e.what());
    }
    MPI_Send(reply.data(), static_cast<int>(reply.size()), MPI_UINT64_T, 0, wire::kReplyTag, MPI_COMM_WORLD);
  }
}

void MpiSession::command_workers(std::uint64_t op) {
  std::vector<std::uint64_t> command(wire::kCommandHeaderWords, 0);
  command[0] = op;
  for (int r = 1; r < size_; ++r)
    MPI_Send(command.data(), static_cast<int>(command.size()), MPI_UINT64_T, r, wire::kCommandTag, MPI_COMM_WORLD);
}

std::uint64_t MpiSession::send_server_key(const fhe::IdentifiedCompressedServerKey& key,
                                          const std::string& model_fingerprint) {
  if (rank_ != 0) throw InvalidArgument("distributed: only rank 0 sends the server key");
  command_workers(wire::kServerKey);
  BroadcastWriteBuffer buffer(options_.rank_timeout_seconds);
  std::ostream out(&buffer);
  out.exceptions(std::ios::badbit);  // the buffer's own error, not a bare failed write
  out << model_fingerprint << '\n';
  fhe::save_server_key(key, out);
  return buffer.finish();
}

std::optional<SharedKey> MpiSession::receive_server_key(const fhe::LoadLimits& limits) {
  std::vector<std::uint64_t> command;
  poll_receive(0, wire::kCommandTag, command, Clock::time_point::max());
  if (command.size() < wire::kCommandHeaderWords) throw FormatError("distributed: short command from rank 0");
  if (command[0] == wire::kShutdown) return std::nullopt;
  if (command[0] != wire::kServerKey)
    throw FormatError("distributed: rank 0 sent command " + std::to_string(command[0]) + " before the server key");
  BroadcastReadBuffer buffer(options_.rank_timeout_seconds);
  std::istream in(&buffer);
  in.exceptions(std::ios::badbit);
  SharedKey shared;
  // The fingerprint is 64 hex digits: the line is read with that bound, whatever rank 0 sends.
  LineReader(in, "distributed: rank 0's model fingerprint", {64, 1, 65}).next(shared.model_fingerprint);
  shared.key = fhe::load_server_key(in, limits);
  // Reads the end of the stream, so that every rank leaves the broadcast after the same chunk.
  if (in.peek() != std::istream::traits_type::eof()) throw FormatError("distributed: bytes after the server key");
  return shared;
}

void MpiSession::shutdown() {
  if (rank_ != 0 || shut_down_) return;
  command_workers(wire::kShutdown);
  shut_down_ = true;
}

void MpiSession::run_or_abort(const std::function<void()>& body) {
  try {
    body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "veil rank %d of %d: %s\nveil: stopping all ranks (MPI_Abort)\n", rank_, size_, e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
}

std::vector<std::uint64_t> MpiSession::receive_reply(int source, std::uint64_t batch, Clock::time_point deadline) {
  std::vector<std::uint64_t> reply;
  if (!poll_receive(source, wire::kReplyTag, reply, deadline))
    throw Error("distributed: rank " + std::to_string(source) + " did not answer batch " + std::to_string(batch) +
                " within the rank timeout of " + std::to_string(options_.rank_timeout_seconds) + " s");
  if (reply.size() < wire::kReplyHeaderWords || reply[1] != batch)
    throw FormatError("distributed: rank " + std::to_string(source) + " answered out of order on batch " +
                      std::to_string(batch));
  if (reply[0] != wire::kOk)
    throw Error("distributed: rank " + std::to_string(source) + " failed on batch " + std::to_string(batch) + ": " +
                wire::error_message(reply));
  return reply;
}

bool available() { return true; }

std::unique_ptr<Session> start_session(const Options& options) { return std::make_unique<MpiSession>(options); }

}  // namespace veil::runtime::distributed
