#include "veil/app/process/blas_memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cblas.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/common/format_numbers.hpp"

namespace veil::app {
namespace {

// The process's mapped address space now (the first field of /proc/self/statm, in pages).
std::uint64_t mapped_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0;
  statm >> pages;
  return pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

void reexec_with_single_threaded_blas(char** argv) {
  if (std::getenv("OPENBLAS_NUM_THREADS") != nullptr) return;
  setenv("OPENBLAS_NUM_THREADS", "1", /*overwrite=*/1);
  // The resolved path rather than /proc/self/exe itself, which would rename the process "exe".
  char path[PATH_MAX];
  const ssize_t length = readlink("/proc/self/exe", path, sizeof path - 1);
  if (length <= 0) return;
  path[length] = '\0';
  execv(path, argv);  // returns only on failure: then run as we are
}

void require_address_space_for_blas(std::size_t threads) {
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return;
  const std::uint64_t used = mapped_bytes();
  const std::uint64_t left = limit.rlim_cur > used ? limit.rlim_cur - used : 0;
  const std::uint64_t need = threads * kBlasBufferBytes;
  if (need <= left) return;
  const std::uint64_t fits = left / kBlasBufferBytes;
  throw InvalidArgument("the address-space limit (ulimit -v) of " + format_bytes(limit.rlim_cur) + " leaves " +
                        format_bytes(left) + " beyond the " + format_bytes(used) +
                        " mapped; OpenBLAS needs a 128 MiB buffer for each of the " + std::to_string(threads) +
                        " threads, " + format_bytes(need) + " in all" +
                        (fits ? "; use --threads " + std::to_string(fits) + " or raise the limit"
                              : "; raise the limit (by at least " + format_bytes(need - left) + ")"));
}

void reserve_blas_buffers(ThreadPool& pool) {
  require_address_space_for_blas(pool.size());
  // Large enough to take OpenBLAS's buffered path (its small-matrix kernels skip the buffer).
  constexpr int kSide = 256;
  std::latch all_arrived(static_cast<std::ptrdiff_t>(pool.size()));
  pool.parallel_for(pool.size(), 1, [&](std::size_t, std::size_t, std::size_t) {
    std::vector<double> a(kSide * kSide, 1.0), c(kSide * kSide);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kSide, kSide, kSide, 1.0, a.data(), kSide, a.data(), kSide,
                0.0, c.data(), kSide);
    all_arrived.arrive_and_wait();
  });
}

}  // namespace veil::app
