// Built when VEIL_MPI is off or MPI was not found: --distributed is refused with a clear error.
#include "veil/common/error.hpp"
#include "veil/runtime/distributed.hpp"

namespace veil::runtime::distributed {

bool available() { return false; }

std::unique_ptr<Session> start_session(const Options&) {
  throw InvalidArgument(
      "--distributed: veil was built without MPI; install Open MPI (libopenmpi-dev) and configure with "
      "-DVEIL_MPI=ON");
}

}  // namespace veil::runtime::distributed
