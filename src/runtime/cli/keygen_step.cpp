#include <chrono>
#include <cstdio>
#include <thread>

#include "veil/fhe/serialize.hpp"
#include "veil/runtime/cli/files.hpp"
#include "veil/runtime/cli/veil_fhe_steps.hpp"
#include "veil/runtime/client.hpp"

namespace veil::runtime::cli {

void keygen_step(const std::filesystem::path& spec, const std::filesystem::path& out_dir, std::size_t threads,
                 fhe::Csprng& rng, fhe::AllowInsecure allow, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  ThreadPool pool(threads ? threads : std::max(1u, std::thread::hardware_concurrency()));
  const Client client = Client::generate(load_client_spec_file(spec), rng, allow);
  const fhe::IdentifiedServerKey server_key = client.make_server_key(rng, pool, allow);

  std::filesystem::create_directories(out_dir);
  const std::filesystem::path client_file = out_dir / kClientKeyFile, server_file = out_dir / kServerKeyFile;
  fhe::save_client_key_file(client.key(), client_file);
  // The secret key decrypts everything made under it: owner only.
  std::filesystem::permissions(client_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  fhe::save_server_key_file(server_key.key, server_key.key_id, server_file);

  char buf[160];
  std::snprintf(buf, sizeof buf, "keygen took %.1f s (parameter set %s, key id %s)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                client.spec().parameter_set.c_str(), client.key_id().hex().c_str());
  out << buf << "  " << describe_file(client_file) << " (secret: keep it with the client)\n"
      << "  " << describe_file(server_file) << " (evaluation keys: send to the server)\n";
}

}  // namespace veil::runtime::cli
