#pragma once
// resnet18_fhe --distributed (docs/distributed.md): rank 0 runs the whole program, whose FHE
// stage makes the keys, broadcasts the server key and splits every batch over all ranks; the
// other ranks only receive that key and serve batches.
#include <functional>

#include "veil/app/stages/fhe_stage.hpp"
#include "veil/runtime/distributed.hpp"

namespace veil::app {

/// Joins the MPI job (distributed::start_session: InvalidArgument "veil was built without MPI"
/// in a build without it). Rank 0 runs `rank0`, which hands the session to its FHE stage
/// (FheStageSettings::session), then shuts the workers down. The other ranks wait for the
/// server key and serve its batches on the backend of `settings` (threads, use_gpu; `allow`
/// for the key's parameter sets). An error on any rank stops the whole job.
void run_distributed(const runtime::distributed::Options& options, const FheStageSettings& settings,
                     const std::function<void(runtime::distributed::Session&)>& rank0);

}  // namespace veil::app
