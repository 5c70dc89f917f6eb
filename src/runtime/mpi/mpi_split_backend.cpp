// Rank 0's backend: each batch is cut into contiguous shares, one per rank in rank order,
// sized in proportion to each rank's last measured rate (equal at first). The workers' shares
// are sent first (non-blocking, against the rank timeout), rank 0 evaluates its own share,
// then gathers the replies in order. Ciphertexts travel under the big key (k*N+1 words): the
// PBS's key switch runs where its blind rotation runs (docs/distributed.md says why).
#include <mpi.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <string>
#include <thread>
#include <unordered_map>

#include "runtime/mpi/mpi_session.hpp"
#include "runtime/mpi/mpi_wire.hpp"
#include "veil/common/error.hpp"

namespace veil::runtime::distributed {
namespace {

using Clock = std::chrono::steady_clock;

struct Share {
  std::size_t begin = 0;
  std::size_t count = 0;
};

// Shares proportional to `rates`, remainders to the fastest ranks.
std::vector<Share> split(std::size_t count, const std::vector<double>& rates) {
  const double total = std::accumulate(rates.begin(), rates.end(), 0.0);
  std::vector<Share> shares(rates.size());
  std::size_t given = 0;
  for (std::size_t r = 0; r < rates.size(); ++r) {
    shares[r].count = static_cast<std::size_t>(static_cast<double>(count) * rates[r] / total);
    given += shares[r].count;
  }
  std::vector<std::size_t> order(rates.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rates[a] > rates[b]; });
  for (std::size_t i = 0; given < count; i = (i + 1) % order.size(), ++given) ++shares[order[i]].count;
  std::size_t begin = 0;
  for (Share& s : shares) {
    s.begin = begin;
    begin += s.count;
  }
  return shares;
}

// What names a partition's keys on the wire: its set (for a PBS) and its key-switching key's
// shape (for a key switch).
struct PartitionTag {
  std::string set;
  std::size_t ks_input = 0, ks_output = 0, ks_base_log = 0, ks_levels = 0;
};

class SplitBackend final : public fhe::Backend {
 public:
  SplitBackend(MpiSession& session, fhe::Backend& local, const fhe::IdentifiedServerKey& key)
      : session_(session),
        local_(local),
        pbs_rates_(static_cast<std::size_t>(session.size()), 1.0),
        ks_rates_(static_cast<std::size_t>(session.size()), 1.0) {
    for (std::size_t i = 0; i < key.partition_count(); ++i) {
      const fhe::KeyswitchKey& ksk = key.partition(i).keyswitch_key();
      partitions_.push_back({key.partition(i).parameter_set_name(), ksk.input_lwe_dimension().value,
                             ksk.output_lwe_dimension().value, ksk.base_log().value, ksk.level_count().value});
    }
  }

  std::string_view name() const override { return "mpi"; }
  std::string description() const override {
    return std::to_string(session_.size()) + " MPI rank(s); rank 0: " + local_.description();
  }

  void programmable_bootstrap_batch(const fhe::ServerKey& key, const fhe::LweCiphertextArray& inputs,
                                    std::span<const fhe::LookupTable* const> tables,
                                    fhe::LweCiphertextArray& outputs) override {
    if (tables.size() != 1 && tables.size() != inputs.size())
      throw InvalidArgument("mpi backend: " + std::to_string(tables.size()) + " tables for " +
                            std::to_string(inputs.size()) + " ciphertexts");
    run(wire::kPbs, pbs_partition(key), inputs, outputs, tables, pbs_rates_,
        [&](const fhe::LweCiphertextArray& in, std::size_t begin, fhe::LweCiphertextArray& out) {
          local_.programmable_bootstrap_batch(key, in, tables.size() == 1 ? tables : tables.subspan(begin, in.size()),
                                              out);
        });
  }

  void keyswitch_batch(const fhe::KeyswitchKey& key, const fhe::LweCiphertextArray& inputs,
                       fhe::LweCiphertextArray& outputs) override {
    run(wire::kKeyswitch, ks_partition(key), inputs, outputs, {}, ks_rates_,
        [&](const fhe::LweCiphertextArray& in, std::size_t, fhe::LweCiphertextArray& out) {
          local_.keyswitch_batch(key, in, out);
        });
  }

  /// The linear layers stay on rank 0 (as cheap as sending their inputs), on its local backend.
  void linear_batch(const fhe::LinearBatch& batch, fhe::LweCiphertextArray& outputs) override {
    local_.linear_batch(batch, outputs);
  }

 private:
  std::uint64_t pbs_partition(const fhe::ServerKey& key) const {
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
      if (partitions_[i].set == key.parameter_set_name()) return i;
    }
    throw InvalidArgument("mpi backend: a PBS with keys of set " + key.parameter_set_name() +
                          ", which no partition of the session's server key has");
  }

  std::uint64_t ks_partition(const fhe::KeyswitchKey& key) const {
    std::vector<std::uint64_t> found;
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
      const PartitionTag& t = partitions_[i];
      if (t.ks_input == key.input_lwe_dimension().value && t.ks_output == key.output_lwe_dimension().value &&
          t.ks_base_log == key.base_log().value && t.ks_levels == key.level_count().value)
        found.push_back(i);
    }
    if (found.size() != 1)
      throw InvalidArgument("mpi backend: a key switch whose key's shape " + std::to_string(found.size()) +
                            " partitions of the session's server key have (expected exactly one)");
    return found[0];
  }

  template <typename LocalRun>
  void run(wire::Op op, std::uint64_t partition, const fhe::LweCiphertextArray& inputs,
           fhe::LweCiphertextArray& outputs, std::span<const fhe::LookupTable* const> tables,
           std::vector<double>& rates, const LocalRun& local_run) {
    if (outputs.size() != inputs.size())
      throw InvalidArgument("mpi backend: " + std::to_string(outputs.size()) + " outputs for " +
                            std::to_string(inputs.size()) + " inputs");
    if (std::this_thread::get_id() != owner_)
      throw InvalidArgument("mpi backend: called from another thread than the one that made it (MPI is funneled)");
    const std::uint64_t batch = ++batches_;
    const std::vector<Share> shares = split(inputs.size(), rates);
    const auto timeout =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(session_.timeout_seconds()));
    const std::size_t out_words = outputs.dimension().value + 1;

    std::vector<std::vector<std::uint64_t>> commands(shares.size());
    std::vector<MPI_Request> requests;
    for (std::size_t r = 1; r < shares.size(); ++r) {
      if (shares[r].count == 0) continue;
      commands[r] = command(op, batch, partition, inputs, outputs.dimension(), tables, shares[r]);
      session_.mutable_traffic().bytes_sent += commands[r].size() * 8;
      requests.emplace_back();
      MPI_Isend(commands[r].data(), static_cast<int>(commands[r].size()), MPI_UINT64_T, static_cast<int>(r),
                wire::kCommandTag, MPI_COMM_WORLD, &requests.back());
    }
    wait_sends(requests, batch, Clock::now() + timeout);

    std::vector<RankStats>& stats = session_.mutable_stats();
    if (shares[0].count > 0) {
      const auto start = Clock::now();
      if (shares[0].count == inputs.size()) {
        local_run(inputs, 0, outputs);
      } else {
        fhe::LweCiphertextArray in(shares[0].count, inputs.dimension()), out(shares[0].count, outputs.dimension());
        std::copy_n(inputs.data().begin(), in.data().size(), in.data().begin());
        local_run(in, 0, out);
        std::copy_n(out.data().begin(), out.data().size(), outputs.data().begin());
      }
      record(stats[0], rates[0], op, shares[0].count, std::chrono::duration<double>(Clock::now() - start).count());
    }
    // Shares are sized to finish together: a rank may lag rank 0's own share by the timeout.
    const auto deadline = Clock::now() + timeout;
    for (std::size_t r = 1; r < shares.size(); ++r) {
      if (shares[r].count == 0) continue;
      const std::vector<std::uint64_t> reply = session_.receive_reply(static_cast<int>(r), batch, deadline);
      session_.mutable_traffic().bytes_received += reply.size() * 8;
      if (reply.size() != wire::kReplyHeaderWords + shares[r].count * out_words)
        throw FormatError("distributed: rank " + std::to_string(r) + " answered batch " + std::to_string(batch) +
                          " with the wrong size");
      std::copy(reply.begin() + wire::kReplyHeaderWords, reply.end(),
                outputs.data().begin() + static_cast<std::ptrdiff_t>(shares[r].begin * out_words));
      record(stats[r], rates[r], op, shares[r].count, static_cast<double>(reply[2]) * 1e-9);
      if (op == wire::kPbs) session_.mutable_traffic().remote_pbs += shares[r].count;
    }
  }

  static void record(RankStats& stats, double& rate, wire::Op op, std::size_t count, double busy) {
    stats.busy_seconds += busy;
    (op == wire::kPbs ? stats.pbs : stats.keyswitches) += count;
    if (busy > 0) rate = static_cast<double>(count) / busy;
    if (op == wire::kPbs) stats.rate = rate;
  }

  // The command for one share: header, the distinct tables it uses, their index per ciphertext,
  // the ciphertexts.
  static std::vector<std::uint64_t> command(wire::Op op, std::uint64_t batch, std::uint64_t partition,
                                            const fhe::LweCiphertextArray& inputs, fhe::LweDimension out_dim,
                                            std::span<const fhe::LookupTable* const> tables, const Share& share) {
    std::vector<std::uint64_t> words{op, batch, share.count, inputs.dimension().value, out_dim.value, 0, partition};
    std::vector<std::uint64_t> indices;
    if (op == wire::kPbs) {
      std::unordered_map<const fhe::LookupTable*, std::uint64_t> index_of;
      for (std::size_t i = 0; i < share.count; ++i) {
        const fhe::LookupTable* t = tables.size() == 1 ? tables[0] : tables[share.begin + i];
        auto [it, fresh] = index_of.emplace(t, index_of.size());
        if (fresh) {
          words.push_back(static_cast<std::uint64_t>(t->precision_bits()));
          words.push_back(t->polynomial().size());
          words.insert(words.end(), t->polynomial().begin(), t->polynomial().end());
        }
        indices.push_back(it->second);
      }
      words[5] = index_of.size();
    }
    words.insert(words.end(), indices.begin(), indices.end());
    const std::size_t stride = inputs.dimension().value + 1;
    if (words.size() + share.count * stride > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw InvalidArgument("mpi backend: a share of " + std::to_string(share.count) +
                            " ciphertexts exceeds one MPI message");
    const auto first = inputs.data().begin() + static_cast<std::ptrdiff_t>(share.begin * stride);
    words.insert(words.end(), first, first + static_cast<std::ptrdiff_t>(share.count * stride));
    return words;
  }

  void wait_sends(std::vector<MPI_Request>& requests, std::uint64_t batch, Clock::time_point deadline) {
    for (;;) {
      int done = 0;
      MPI_Testall(static_cast<int>(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE);
      if (done) return;
      if (Clock::now() >= deadline)
        throw Error("distributed: a rank did not take its share of batch " + std::to_string(batch) +
                    " within the rank timeout of " + std::to_string(session_.timeout_seconds()) + " s");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  MpiSession& session_;
  fhe::Backend& local_;
  std::vector<PartitionTag> partitions_;  // of the session's server key, partition 0 first
  std::vector<double> pbs_rates_, ks_rates_;
  std::uint64_t batches_ = 0;
  std::thread::id owner_ = std::this_thread::get_id();
};

}  // namespace

std::unique_ptr<fhe::Backend> make_split_backend(MpiSession& session, fhe::Backend& local,
                                                 const fhe::IdentifiedServerKey& key) {
  return std::make_unique<SplitBackend>(session, local, key);
}

}  // namespace veil::runtime::distributed
