// The programs' OpenBLAS address-space check (issue 14): under `ulimit -v` a thread that cannot
// get its BLAS buffer must be refused up front with a message, since OpenBLAS itself retries.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "common/memory_limit.hpp"
#include "veil/app/process/blas_memory.hpp"
#include "veil/common/error.hpp"

namespace veil::app {
namespace {

// Exit code of `body` run in a child under an address-space limit of `headroom` beyond what
// is mapped now (3: it threw something else than InvalidArgument).
int exit_code_with_headroom(std::uint64_t headroom, const std::function<int()>& body) {
  return testing::exit_code_under_address_space_cap([headroom] { return testing::mapped_bytes_now() + headroom; },
                                                    body);
}

TEST(BlasMemory, TooLittleAddressSpaceIsRefusedNamingTheThreadsThatFit) {
  VEIL_SKIP_UNDER_ASAN();
  // 300 MiB of headroom: room for two buffers, not for four; a message suggests --threads 2.
  const int code = exit_code_with_headroom(std::uint64_t{300} << 20, [] {
    try {
      require_address_space_for_blas(4);
      return 1;
    } catch (const InvalidArgument& e) {
      return std::string(e.what()).find("use --threads 2") == std::string::npos ? 2 : 0;
    }
  });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(exit_code_with_headroom(std::uint64_t{300} << 20,
                                    [] {
                                      require_address_space_for_blas(2);
                                      return 0;
                                    }),
            0);
}

TEST(BlasMemory, ReservingBuffersRunsOnEveryThreadOfThePool) {
  ThreadPool pool(3);
  reserve_blas_buffers(pool);  // would deadlock if a thread took two of the three calls
  SUCCEED();
}

}  // namespace
}  // namespace veil::app
