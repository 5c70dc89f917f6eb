#pragma once
// Keys for the engine's tests, built once per test process and parameter set, from a fixed
// seed (Csprng::from_seed_insecure_for_tests) so that failures reproduce.
#include <map>
#include <memory>
#include <string>

#include "veil/common/thread_pool.hpp"
#include "veil/fhe/keygen.hpp"

namespace veil::fhe::testing {

struct EngineKeys {
  ClientKey client;
  ServerKey server;
};

inline ThreadPool& test_thread_pool() {
  static ThreadPool pool;
  return pool;
}

/// Keys for `params` (toy sets allowed), cached by set name for the life of the process.
inline const EngineKeys& engine_keys(const ParameterSet& params, std::uint64_t seed = 2024) {
  static std::map<std::string, std::unique_ptr<EngineKeys>> cache;
  auto& slot = cache[params.name + "/" + std::to_string(seed)];
  if (!slot) {
    Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
    ClientKey client = make_client_key(params, rng, AllowInsecure::for_tests);
    ServerKey server = make_server_key(client, rng, test_thread_pool(), AllowInsecure::for_tests);
    slot = std::make_unique<EngineKeys>(EngineKeys{std::move(client), std::move(server)});
  }
  return *slot;
}

/// "name (n=.., k=.., N=.., PBS b/l, KS b/l, σ_lwe, σ_glwe)": printed on failures.
inline std::string describe(const ParameterSet& p) {
  return p.name + " (n=" + std::to_string(p.lwe_dimension.value) + ", k=" + std::to_string(p.glwe_dimension.value) +
         ", N=" + std::to_string(p.polynomial_size.value) + ", PBS " + std::to_string(p.pbs_base_log.value) + "/" +
         std::to_string(p.pbs_level.value) + ", KS " + std::to_string(p.ks_base_log.value) + "/" +
         std::to_string(p.ks_level.value) + ", σ_lwe=" + std::to_string(p.lwe_noise.std_dev) +
         ", σ_glwe=" + std::to_string(p.glwe_noise.std_dev) + ")";
}

}  // namespace veil::fhe::testing
