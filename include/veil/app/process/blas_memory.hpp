#pragma once
// OpenBLAS and address-space limits (`ulimit -v`), measured with Debian 12's OpenBLAS 0.3.21:
// - its library constructor, before main(), starts one thread per core and gives each a
//   128 MiB buffer and an 8 MiB stack; veil never uses those threads (its own pool splits the
//   GEMMs and every executor calls openblas_set_num_threads(1)), yet they take address space:
//   471 MiB at main() on 2 cores against 335 MiB with one BLAS thread, ~2 GiB more on 16;
// - every thread that calls a BLAS routine then mallocs its own 128 MiB buffer, and when that
//   fails OpenBLAS retries instead of failing: `veil_fhe compile` hung under `ulimit -v 600M`.
// So the programs run OpenBLAS single-threaded from the start and, before any work, check that
// the limit leaves a buffer for each thread that will call it and make those buffers at once:
// an allocation that fails later is then veil's own (std::bad_alloc, a message), never OpenBLAS's.
#include <cstddef>
#include <cstdint>

#include "veil/common/thread_pool.hpp"

namespace veil::app {

/// OpenBLAS's per-calling-thread buffer (BUFFER_SIZE of its x86-64 builds, plus a page).
inline constexpr std::uint64_t kBlasBufferBytes = (std::uint64_t{128} << 20) + 4096;

/// Call first in main(): unless OPENBLAS_NUM_THREADS is set, sets it to 1 and re-executes the
/// program with the same arguments, so that OpenBLAS's constructor sees it (setenv from a
/// constructor or .preinit_array is too early: the C library resets the environment after
/// it). Returns, doing nothing more, when the variable is set or the exec fails.
void reexec_with_single_threaded_blas(char** argv);

/// InvalidArgument when the address-space limit (RLIMIT_AS) leaves less than `threads` BLAS
/// buffers beyond what the process already maps, naming the limit, the need and the largest
/// thread count that fits. Nothing to check without a limit.
void require_address_space_for_blas(std::size_t threads);

/// require_address_space_for_blas(pool.size()), then one small GEMM on every thread of `pool`
/// (each waits for the others, so every thread takes one), which makes OpenBLAS allocate each
/// thread's buffer now. Call where a pool that will run BLAS kernels is created.
void reserve_blas_buffers(ThreadPool& pool);

}  // namespace veil::app
