#include "veil/app/stages/fhe_stage_distributed.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <thread>

#include "veil/app/flags/backend_flag.hpp"

namespace veil::app {

void run_distributed(const runtime::distributed::Options& options, const FheStageSettings& settings,
                     const std::function<void(runtime::distributed::Session&)>& rank0) {
  const std::unique_ptr<runtime::distributed::Session> session = runtime::distributed::start_session(options);
  session->run_or_abort([&] {
    if (session->rank() == 0) {
      rank0(*session);
      session->shutdown();
      return;
    }
    ThreadPool pool(settings.threads ? settings.threads : std::max(1u, std::thread::hardware_concurrency()));
    const std::unique_ptr<fhe::Backend> backend = make_backend_for_flags(settings.use_gpu, pool, session->local_rank());
    fhe::LoadLimits limits;
    limits.allow = settings.allow;
    const std::optional<runtime::distributed::SharedKey> shared = session->receive_server_key(limits);
    if (shared) runtime::distributed::split_or_serve(*session, shared->key, shared->model_fingerprint, *backend);
  });
}

}  // namespace veil::app
