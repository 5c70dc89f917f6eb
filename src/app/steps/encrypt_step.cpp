#include <chrono>
#include <cstdio>

#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/io/center_crop_tensor.hpp"

namespace veil::app {
namespace {

// The image as the program reads it: itself, or its centre crop for a program built for crops.
Tensor fit_to_input(const Tensor& image, const Shape& input) {
  if (image.shape == input) return image;
  const bool croppable = image.shape.size() == 3 && input.size() == 3 && image.shape[0] == input[0] &&
                         input[1] == input[2] && image.shape[1] >= input[1] && image.shape[2] >= input[2];
  if (!croppable)
    throw InvalidArgument("encrypt: the image has shape " + to_string(image.shape) + ", the model's input is " +
                          to_string(input));
  return io::center_crop_tensor(image, input[1]);
}

}  // namespace

void encrypt_step(const std::filesystem::path& spec, const std::filesystem::path& client_key, const Tensor& image,
                  const std::filesystem::path& out_file, fhe::Csprng& rng, std::ostream& out,
                  fhe::AllowInsecure allow) {
  const auto start = std::chrono::steady_clock::now();
  client::ClientSpec client_spec = client::load_client_spec_file(spec);
  fhe::LoadLimits key_limits = load_limits(client_spec).client_key;
  key_limits.allow = allow;
  const client::Client client(std::move(client_spec), fhe::load_client_keys_file(client_key, key_limits));
  const fhe::SeededLweBatch batch = client.encrypt(fit_to_input(image, client.spec().input_shape), rng);
  fhe::save_seeded_lwe_batch_file(batch, out_file);
  char buf[160];
  std::snprintf(buf, sizeof buf, "encrypt took %.2f s (%zu ciphertexts, input %s)\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), batch.size(),
                to_string(client.spec().input_shape).c_str());
  out << buf << "  " << describe_file(out_file) << "\n";
}

}  // namespace veil::app
