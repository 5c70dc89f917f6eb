// The programs' OpenBLAS address-space check (issue 14): under `ulimit -v` a thread that cannot
// get its BLAS buffer must be refused up front with a message, since OpenBLAS itself retries.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/blas_memory.hpp"

namespace veil::nn {
namespace {

std::uint64_t mapped_bytes_now() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// Exit code of `body` run in a child under an address-space limit of `headroom` beyond what
// is mapped now (3: it threw something else than InvalidArgument).
int exit_code_with_headroom(std::uint64_t headroom, const std::function<int()>& body) {
  const pid_t child = fork();
  if (child == 0) {
    const std::uint64_t cap = mapped_bytes_now() + headroom;
    const rlimit limit{cap, cap};
    setrlimit(RLIMIT_AS, &limit);
    int code = 3;
    try {
      code = body();
    } catch (...) {
    }
    _exit(code);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

TEST(BlasMemory, TooLittleAddressSpaceIsRefusedNamingTheThreadsThatFit) {
  if (kAsan) GTEST_SKIP() << "RLIMIT_AS is meaningless under AddressSanitizer";
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
  EXPECT_EQ(exit_code_with_headroom(std::uint64_t{300} << 20, [] {
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
}  // namespace veil::nn
