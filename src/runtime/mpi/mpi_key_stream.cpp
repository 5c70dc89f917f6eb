#include "runtime/mpi/mpi_key_stream.hpp"

#include <mpi.h>

#include <chrono>
#include <string>
#include <thread>

#include "veil/common/error.hpp"

namespace veil::runtime::distributed {
namespace {

using Clock = std::chrono::steady_clock;
// Large enough that the per-chunk overhead vanishes, small against any key.
constexpr std::size_t kChunkBytes = std::size_t{16} << 20;

// Starts a broadcast from rank 0 of `count` items at `data` and polls it until done.
void broadcast(void* data, int count, MPI_Datatype type, double timeout_seconds, const char* stalled) {
  MPI_Request request;
  MPI_Ibcast(data, count, type, 0, MPI_COMM_WORLD, &request);
  const auto deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_seconds));
  for (;;) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    if (Clock::now() >= deadline)
      throw Error(std::string("distributed: ") + stalled + " within the rank timeout of " +
                  std::to_string(timeout_seconds) + " s");
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

constexpr const char* kWorkerStalled = "a rank took no chunk of the server key's broadcast";
constexpr const char* kRootStalled = "rank 0 sent no more of the server key";

}  // namespace

BroadcastWriteBuffer::BroadcastWriteBuffer(double timeout_seconds)
    : buffer_(kChunkBytes), timeout_seconds_(timeout_seconds) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

void BroadcastWriteBuffer::broadcast_buffered() {
  std::uint64_t length = static_cast<std::uint64_t>(pptr() - pbase());
  if (length == 0) return;
  broadcast(&length, 1, MPI_UINT64_T, timeout_seconds_, kWorkerStalled);
  broadcast(buffer_.data(), static_cast<int>(length), MPI_BYTE, timeout_seconds_, kWorkerStalled);
  sent_ += length;
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

BroadcastWriteBuffer::int_type BroadcastWriteBuffer::overflow(int_type c) {
  broadcast_buffered();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

std::uint64_t BroadcastWriteBuffer::finish() {
  broadcast_buffered();
  std::uint64_t end = 0;
  broadcast(&end, 1, MPI_UINT64_T, timeout_seconds_, kWorkerStalled);
  return sent_;
}

BroadcastReadBuffer::int_type BroadcastReadBuffer::underflow() {
  if (ended_) return traits_type::eof();
  std::uint64_t length = 0;
  broadcast(&length, 1, MPI_UINT64_T, timeout_seconds_, kRootStalled);
  if (length == 0) {
    ended_ = true;
    return traits_type::eof();
  }
  if (length > kChunkBytes)
    throw FormatError("distributed: a chunk of " + std::to_string(length) + " bytes of the server key, at most " +
                      std::to_string(kChunkBytes) + " expected");
  buffer_.resize(length);
  broadcast(buffer_.data(), static_cast<int>(length), MPI_BYTE, timeout_seconds_, kRootStalled);
  setg(buffer_.data(), buffer_.data(), buffer_.data() + buffer_.size());
  return traits_type::to_int_type(buffer_.front());
}

}  // namespace veil::runtime::distributed
