#include "runtime/runtime_test_support.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "veil/common/quantization.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/small_resnet.hpp"
#include "veil/runtime/published_client_spec.hpp"

namespace veil::runtime::testing {

ThreadPool& test_pool() {
  static ThreadPool pool;
  return pool;
}

const nn::quant::QuantizedCircuit& small_circuit(nn::quant::QuantizationMode mode, nn::quant::NBits n_bits,
                                                 std::optional<int> rounding_bits, std::int64_t input_size) {
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int, int, int, std::int64_t>, nn::quant::QuantizedCircuit> cache;
  const std::lock_guard lock(mutex);
  const auto key = std::make_tuple(static_cast<int>(mode), n_bits.model_inputs, n_bits.op_inputs, n_bits.op_weights,
                                   rounding_bits.value_or(0), input_size);
  auto it = cache.find(key);
  if (it == cache.end()) {
    nn::quant::QuantizationConfig config;
    config.mode = mode;
    config.n_bits = n_bits;
    config.rounding_bits = rounding_bits;
    const nn::Graph graph = nn::make_small_resnet(5, input_size);
    const Tensor calibration = nn::make_small_images(16, 6, input_size);
    it = cache.emplace(key, nn::quant::make_quantized_circuit(graph, calibration, config, test_pool())).first;
  }
  return it->second;
}

Tensor small_images(std::int64_t n, std::int64_t input_size) { return nn::make_small_images(n, 7, input_size); }

Tensor image_at(const Tensor& images, std::int64_t index) {
  Shape shape(images.shape.begin() + 1, images.shape.end());
  const auto size = static_cast<std::size_t>(element_count(shape));
  const auto first = images.data.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(index) * size);
  return Tensor(shape, std::vector<float>(first, first + static_cast<std::ptrdiff_t>(size)));
}

std::vector<std::int64_t> clear_integers(const nn::quant::QuantizedCircuit& circuit, const Tensor& image) {
  Shape batch{1};
  batch.insert(batch.end(), image.shape.begin(), image.shape.end());
  nn::quant::IntegerExecutor executor(circuit, 1);
  nn::quant::IntTensor out;
  executor.run_integers(Tensor(batch, image.data), out);
  return out.data;
}

compiler::CompileOptions forced_set(const std::string& set, double p_error) {
  compiler::CompileOptions options;
  options.p_error = p_error;
  options.parameter_set = set;
  options.allow = fhe::AllowInsecure::for_tests;
  return options;
}

const TestKeys& test_keys(const std::string& set, std::uint64_t seed) {
  static std::mutex mutex;
  static std::map<std::pair<std::string, std::uint64_t>, std::unique_ptr<TestKeys>> cache;
  const std::lock_guard lock(mutex);
  auto& slot = cache[{set, seed}];
  if (!slot) {
    fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(seed);
    const fhe::ParameterSet& params = fhe::parameter_set_by_name(set);
    slot = std::make_unique<TestKeys>();
    slot->client = fhe::make_client_key(params, rng, fhe::AllowInsecure::for_tests);
    slot->server.key = fhe::make_server_key(slot->client, rng, test_pool(), fhe::AllowInsecure::for_tests);
    slot->server.key_id = fhe::key_id_of(slot->client);
  }
  return *slot;
}

fhe::SeededLweBatch encrypt_image(const compiler::FheProgram& program, const fhe::ClientKey& key, const Tensor& image,
                                  std::uint64_t seed) {
  nn::quant::IntTensor q;
  quantize_input(std::get<nn::quant::QuantizeInputAttrs>(program.circuit.nodes[0].attrs), image.data.data(),
                 image.data.size(), q);
  std::vector<fhe::Torus> plaintexts;
  for (const std::int64_t v : q.data) plaintexts.push_back(static_cast<fhe::Torus>(v) << program.encodings[0].exponent);
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(seed);
  fhe::SeededLweBatch batch = fhe::encrypt_seeded_lwe_batch(key, fhe::LweKeyKind::big, plaintexts, rng);
  batch.context = client::spec_digest(make_client_spec(program));  // as Client::encrypt binds it
  return batch;
}

std::vector<std::int64_t> decrypt_integers(const fhe::ClientKey& key, const fhe::LweCiphertextArray& cts,
                                           int exponent) {
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < cts.size(); ++i) {
    const fhe::Torus phase = fhe::decrypt_phase(key, cts[i]);
    const fhe::Torus half = exponent == 0 ? 0 : fhe::Torus{1} << (exponent - 1);
    out.push_back(static_cast<std::int64_t>(phase + half) >> exponent);
  }
  return out;
}

nn::quant::QuantizedCircuit circuit_prefix(const nn::quant::QuantizedCircuit& circuit, nn::quant::QValueId last) {
  nn::quant::QuantizedCircuit prefix;
  prefix.nodes.assign(circuit.nodes.begin(), circuit.nodes.begin() + last + 1);
  prefix.output = last;
  return prefix;
}

}  // namespace veil::runtime::testing
