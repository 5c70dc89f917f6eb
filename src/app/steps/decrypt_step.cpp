#include <chrono>
#include <cstdio>

#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::app {

std::vector<nn::Prediction> decrypt_step(const std::filesystem::path& spec, const std::filesystem::path& client_key,
                                         const std::filesystem::path& input,
                                         const std::vector<std::string>& class_names, std::ostream& out,
                                         fhe::AllowInsecure allow) {
  const auto start = std::chrono::steady_clock::now();
  client::ClientSpec client_spec = client::load_client_spec_file(spec);
  client::SpecLoadLimits limits = load_limits(client_spec);
  limits.client_key.allow = allow;
  const client::Client client(std::move(client_spec), fhe::load_client_keys_file(client_key, limits.client_key));
  const nn::quant::IntTensor integers = client.decrypt_integers(fhe::load_ciphertext_batch_file(input, limits.output));
  const Tensor logits = client.logits(integers);
  const bool named = class_names.size() == logits.data.size();
  std::vector<nn::Prediction> top5 =
      nn::make_predictions(logits.data, named ? class_names : std::vector<std::string>{}, 5);
  char buf[160];
  std::snprintf(buf, sizeof buf, "decrypt took %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  out << buf << "  " << describe_file(input) << "\n";
  if (const std::size_t beyond = client.outputs_beyond_bound(integers)) {
    out << "WARNING: " << beyond << " output integer(s) beyond the decoded bound +-" << client.spec().output_bound
        << " (the calibration maximum x margin): an input this far from the calibration images may wrap a logit\n";
  }
  out << "Top 5 classes (keep them with the client: at a loose p_error such as the defaults, 0.05 to 0.1 per PBS,\n"
         "decryption is IND-CPA, not IND-CPA^D; docs/parameters.md):\n";
  for (std::size_t k = 0; k < top5.size(); ++k) {
    std::snprintf(buf, sizeof buf, "  %zu. %4lld  %6.2f%%  %s\n", k + 1, static_cast<long long>(top5[k].index),
                  100.0 * top5[k].probability, top5[k].name.c_str());
    out << buf;
  }
  return top5;
}

}  // namespace veil::app
