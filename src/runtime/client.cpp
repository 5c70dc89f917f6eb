#include "veil/runtime/client.hpp"

#include <algorithm>

#include <string>
#include <vector>

#include "veil/common/error.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/quantize_input.hpp"

namespace veil::runtime {

namespace {

// The signed integer of 64 - e bits nearest to phase / 2^e.
std::int64_t decode_at(fhe::Torus phase, int exponent) {
  if (exponent == 0) return static_cast<std::int64_t>(phase);
  const fhe::Torus rounded = phase + (fhe::Torus{1} << (exponent - 1));
  return static_cast<std::int64_t>(rounded) >> exponent;
}

}  // namespace

Client::Client(ClientSpec spec, fhe::ClientKey key) : spec_(std::move(spec)), key_(std::move(key)) {
  if (key_.parameters().name != spec_.parameter_set) {
    throw InvalidArgument("client: a key for parameter set " + key_.parameters().name + ", the spec needs " +
                          spec_.parameter_set);
  }
  key_id_ = fhe::key_id_of(key_);
}

Client Client::generate(ClientSpec spec, fhe::Csprng& rng, fhe::AllowInsecure allow) {
  const fhe::ParameterSet& params = fhe::parameter_set_by_name(spec.parameter_set);
  fhe::ClientKey key = fhe::make_client_key(params, rng, allow);
  return Client(std::move(spec), std::move(key));
}

fhe::IdentifiedServerKey Client::make_server_key(fhe::Csprng& rng, ThreadPool& pool, fhe::AllowInsecure allow) const {
  return fhe::IdentifiedServerKey{key_id_, fhe::make_server_key(key_, rng, pool, allow)};
}

fhe::SeededLweBatch Client::encrypt(const Tensor& image, fhe::Csprng& rng) const {
  if (image.shape != spec_.input_shape) {
    throw InvalidArgument("client: image of shape " + to_string(image.shape) + ", the program reads " +
                          to_string(spec_.input_shape));
  }
  nn::quant::IntTensor q;
  nn::quant::quantize_input(spec_.input_quantization, image.data.data(), image.data.size(), q);
  std::vector<fhe::Torus> plaintexts(q.data.size());
  for (std::size_t i = 0; i < q.data.size(); ++i) {
    plaintexts[i] = static_cast<fhe::Torus>(q.data[i]) << spec_.input_exponent;
  }
  return fhe::encrypt_seeded_lwe_batch(key_, fhe::LweKeyKind::big, plaintexts, rng);
}

nn::quant::IntTensor Client::decrypt_integers(const fhe::CiphertextBatch& output) const {
  fhe::require_same_key(output, key_);
  const auto expected = static_cast<std::size_t>(element_count(spec_.output_shape));
  const fhe::LweDimension big = key_.parameters().big_lwe_dimension();
  if (output.key_kind != fhe::LweKeyKind::big || output.ciphertexts.dimension() != big ||
      output.ciphertexts.size() != expected) {
    throw InvalidArgument("client: output of " + std::to_string(output.ciphertexts.size()) +
                          " ciphertexts of LWE dimension " + std::to_string(output.ciphertexts.dimension().value) +
                          ", expected " + std::to_string(expected) + " (" + to_string(spec_.output_shape) +
                          ") under the big key (k*N = " + std::to_string(big.value) + ")");
  }
  nn::quant::IntTensor result{spec_.output_shape, std::vector<std::int64_t>(expected)};
  for (std::size_t i = 0; i < expected; ++i) {
    result.data[i] = decode_at(fhe::decrypt_phase(key_, output.ciphertexts[i]), spec_.output_exponent);
  }
  return result;
}

Tensor Client::decrypt(const fhe::CiphertextBatch& output) const { return logits(decrypt_integers(output)); }

Tensor Client::logits(const nn::quant::IntTensor& integers) const {
  Tensor result;
  nn::quant::dequantize_output(spec_.output_shape, spec_.output_scale, integers, result);
  return result;
}

std::size_t Client::outputs_beyond_bound(const nn::quant::IntTensor& integers) const {
  return static_cast<std::size_t>(std::count_if(integers.data.begin(), integers.data.end(), [this](std::int64_t q) {
    return q > spec_.output_bound || q < -spec_.output_bound;
  }));
}

}  // namespace veil::runtime
