#pragma once
// The messages between rank 0 and the workers: flat arrays of 64-bit words, so that one
// MPI message carries one command or one reply. Command: op, batch, count, input dimension,
// output dimension, table count, the partition whose keys to use, then per table (precision bits, N, N coefficients),
// then one table index per ciphertext (PBS only), then the ciphertexts. Reply: status, batch, busy nanoseconds, then
// the output ciphertexts, or (status error) the message's length and bytes. kServerKey (header only) tells a worker
// waiting for its key that the key's broadcast follows (mpi_key_stream.hpp).
#include <cstdint>
#include <string>
#include <vector>

namespace veil::runtime::distributed::wire {

enum Tag : int { kCommandTag = 1, kReplyTag = 2 };
enum Op : std::uint64_t { kPbs = 1, kKeyswitch = 2, kShutdown = 3, kServerKey = 4 };
enum Status : std::uint64_t { kOk = 0, kFailed = 1 };

inline constexpr std::size_t kCommandHeaderWords = 7;
inline constexpr std::size_t kPartitionWord = 6;
inline constexpr std::size_t kReplyHeaderWords = 3;

/// An error reply carrying `message`.
std::vector<std::uint64_t> error_reply(std::uint64_t batch, const std::string& message);
/// The message of an error reply.
std::string error_message(const std::vector<std::uint64_t>& reply);

}  // namespace veil::runtime::distributed::wire
