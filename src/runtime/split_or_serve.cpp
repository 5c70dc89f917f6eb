#include "veil/runtime/distributed.hpp"

namespace veil::runtime::distributed {

std::unique_ptr<fhe::Backend> split_or_serve(Session& session, const fhe::IdentifiedServerKey& key,
                                             const std::string& model_fingerprint, fhe::Backend& local) {
  std::string sets;
  for (std::size_t i = 0; i < key.partition_count(); ++i)
    sets += (i ? "," : "") + key.partition(i).parameter_set_name();
  session.require_same_identity("key " + key.key_id.hex() + " sets " + sets + " model " + model_fingerprint);
  if (session.rank() == 0) return session.make_backend(local, key);
  session.serve(key, local);
  return nullptr;
}

}  // namespace veil::runtime::distributed
