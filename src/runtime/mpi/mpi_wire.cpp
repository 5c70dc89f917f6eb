#include "runtime/mpi/mpi_wire.hpp"

#include <cstring>

namespace veil::runtime::distributed::wire {

std::vector<std::uint64_t> error_reply(std::uint64_t batch, const std::string& message) {
  std::vector<std::uint64_t> reply{kFailed, batch, 0, message.size()};
  reply.resize(reply.size() + (message.size() + 7) / 8, 0);
  std::memcpy(reply.data() + kReplyHeaderWords + 1, message.data(), message.size());
  return reply;
}

std::string error_message(const std::vector<std::uint64_t>& reply) {
  if (reply.size() <= kReplyHeaderWords) return "(no message)";
  const std::size_t length = reply[kReplyHeaderWords];
  if ((reply.size() - kReplyHeaderWords - 1) * 8 < length) return "(truncated message)";
  return std::string(reinterpret_cast<const char*>(reply.data() + kReplyHeaderWords + 1), length);
}

}  // namespace veil::runtime::distributed::wire
