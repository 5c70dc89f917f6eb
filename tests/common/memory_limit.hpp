#pragma once
// Running a test body in a child process under an address-space cap (RLIMIT_AS), for tests that
// a loader refuses what a file claims before allocating it.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <functional>

namespace veil::testing {

// Bytes of address space this process maps now (/proc/self/statm), to set a cap relative to it.
inline std::uint64_t mapped_bytes_now() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

// Runs `body` in a child process whose address space is capped at what `cap` returns there
// (evaluated in the child, just before the cap: a cap relative to mapped_bytes_now() counts the
// child's own mappings); returns the child's exit code (body's result, 3 for an uncaught
// exception, 128 + signal if killed).
inline int exit_code_under_address_space_cap(const std::function<std::uint64_t()>& cap,
                                             const std::function<int()>& body) {
  const pid_t child = fork();
  if (child == 0) {
    const std::uint64_t bytes = cap();
    const rlimit limit{bytes, bytes};
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

// The same with a fixed cap of `bytes`. The cap turns "allocates what the file claims" into a
// visible failure instead of a swap storm.
inline int exit_code_under_memory_limit(std::uint64_t bytes, const std::function<int()>& body) {
  return exit_code_under_address_space_cap([bytes] { return bytes; }, body);
}

// Address-space caps and sanitizers' shadow memory do not mix.
#if defined(__SANITIZE_ADDRESS__)
#define VEIL_SKIP_UNDER_ASAN() GTEST_SKIP() << "RLIMIT_AS is meaningless under AddressSanitizer"
#else
#define VEIL_SKIP_UNDER_ASAN() \
  do {                         \
  } while (0)
#endif

}  // namespace veil::testing
