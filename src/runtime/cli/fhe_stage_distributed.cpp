#include "veil/runtime/cli/fhe_stage_distributed.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

#include "veil/runtime/cli/fhe_backend.hpp"

namespace veil::runtime::cli {

void run_distributed(const distributed::Options& options, const FheStageSettings& settings,
                     const std::function<void(distributed::Session&)>& rank0) {
  const std::unique_ptr<distributed::Session> session = distributed::start_session(options);
  session->run_or_abort([&] {
    if (session->rank() == 0) {
      rank0(*session);
      session->shutdown();
      return;
    }
    ThreadPool pool(settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency()));
    const std::unique_ptr<fhe::Backend> backend = make_fhe_backend(settings.use_gpu, pool);
    fhe::LoadLimits limits;
    limits.allow = settings.allow;
    const std::optional<distributed::SharedKey> shared = session->receive_server_key(limits);
    if (shared) distributed::split_or_serve(*session, shared->key, shared->model_fingerprint, *backend);
  });
}

}  // namespace veil::runtime::cli
