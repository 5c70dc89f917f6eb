#pragma once
// A byte stream broadcast from rank 0 to every other rank in chunks: MPI_Ibcast of a length,
// then of that many bytes; a length of 0 ends the stream. A server key of gigabytes thus
// travels while it is serialized and loads while it arrives, with no second copy of it on any
// rank. Each chunk is waited for by polling against the rank timeout, never in a blocking call.
#include <cstdint>
#include <streambuf>
#include <vector>

namespace veil::runtime::distributed {

/// Rank 0's end: bytes written are broadcast a chunk at a time.
class BroadcastWriteBuffer final : public std::streambuf {
 public:
  explicit BroadcastWriteBuffer(double timeout_seconds);
  /// Broadcasts the bytes still buffered, then the end of the stream; returns the bytes sent.
  std::uint64_t finish();

 protected:
  int_type overflow(int_type c) override;

 private:
  void broadcast_buffered();

  std::vector<char> buffer_;
  double timeout_seconds_;
  std::uint64_t sent_ = 0;
};

/// A worker's end: each read past the buffer waits for rank 0's next chunk; end of file after
/// the end of the stream.
class BroadcastReadBuffer final : public std::streambuf {
 public:
  explicit BroadcastReadBuffer(double timeout_seconds) : timeout_seconds_(timeout_seconds) {}

 protected:
  int_type underflow() override;

 private:
  std::vector<char> buffer_;
  double timeout_seconds_;
  bool ended_ = false;
};

}  // namespace veil::runtime::distributed
