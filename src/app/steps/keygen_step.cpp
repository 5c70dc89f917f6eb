#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::app {

void keygen_step(const std::filesystem::path& spec, const std::filesystem::path& out_dir, std::size_t threads,
                 fhe::Csprng& rng, fhe::AllowInsecure allow, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  ThreadPool pool(threads ? threads : std::max(1u, std::thread::hardware_concurrency()));
  const client::Client client = client::Client::generate(client::load_client_spec_file(spec), rng, allow);
  const fhe::IdentifiedCompressedServerKey server_key = client.make_compressed_server_key(rng, pool, allow);

  std::filesystem::create_directories(out_dir);
  const std::filesystem::path client_file = out_dir / kClientKeyFile, server_file = out_dir / kServerKeyFile;
  fhe::save_client_keys_file(client.partition_keys(), client_file);
  fhe::save_server_key_file(server_key, server_file);

  std::string sets;
  for (const std::string& name : client.spec().parameter_sets) sets += (sets.empty() ? "" : ", ") + name;
  char buf[64];
  std::snprintf(buf, sizeof buf, "keygen took %.1f s",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  out << buf << " (parameter set" << (client.spec().parameter_sets.size() > 1 ? "s " : " ") << sets << ", key id "
      << client.key_id().hex() << ")\n"
      << "  " << describe_file(client_file) << " (secret: keep it with the client)\n"
      << "  " << describe_file(server_file) << " (evaluation keys, compressed: send to the server)\n";
}

}  // namespace veil::app
