#pragma once
// --use-gpu: the programs' backend choice, with an error that names the flag.
#include <memory>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/backend.hpp"

namespace veil::app {

/// fhe::make_backend(cuda with use_gpu, else cpu); InvalidArgument "--use-gpu: the CUDA backend
/// is not available in this build or on this machine (reason); run without --use-gpu ...".
/// `local_rank`: an MPI rank's index on its machine, which picks its GPU (gpu_for_local_rank).
std::unique_ptr<fhe::Backend> make_backend_for_flags(bool use_gpu, ThreadPool& pool, int local_rank = 0);

/// One rank per GPU: the ranks of one machine take its `gpus` devices in turn (rank i on
/// device i mod gpus); device 0 when none is visible (creating the backend then says why).
int gpu_for_local_rank(int local_rank, int gpus);

}  // namespace veil::app
