// The server through a backend that keeps its rows to itself, as a GPU keeps them in device
// memory: every host entry point throws, so the run must use resident arrays only, and exactly
// the input (once) and the output (once) cross between the host and the backend. In real FHE on
// the insecure toy set whose lookups never fail, so the output must equal the integer executor's.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <utility>

#include "runtime/runtime_test_support.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;

class OpaqueArray final : public fhe::ResidentArray {
 public:
  OpaqueArray(std::size_t size, fhe::LweDimension dimension)
      : ResidentArray(size, dimension), values(size, dimension) {}
  fhe::LweCiphertextArray values;
};

const fhe::LweCiphertextArray& values_of(const fhe::ResidentArray& array) {
  return dynamic_cast<const OpaqueArray&>(array).values;
}
fhe::LweCiphertextArray& values_of(fhe::ResidentArray& array) { return dynamic_cast<OpaqueArray&>(array).values; }

class OpaqueRowsBackend final : public fhe::Backend {
 public:
  std::string_view name() const override { return "opaque rows"; }
  void programmable_bootstrap_batch(const fhe::ServerKey&, const fhe::LweCiphertextArray&,
                                    std::span<const fhe::LookupTable* const>, fhe::LweCiphertextArray&) override {
    throw std::logic_error("a PBS on host arrays");
  }
  void keyswitch_batch(const fhe::KeyswitchKey&, const fhe::LweCiphertextArray&, fhe::LweCiphertextArray&) override {
    throw std::logic_error("a key switch on host arrays");
  }
  void linear_batch(const fhe::LinearBatch&, fhe::LweCiphertextArray&) override {
    throw std::logic_error("a linear batch on host arrays");
  }

  std::unique_ptr<fhe::ResidentArray> make_resident(std::size_t count, fhe::LweDimension dimension) override {
    return std::make_unique<OpaqueArray>(count, dimension);
  }
  void upload(fhe::LweCiphertextArray from, fhe::ResidentArray& to) override {
    uploaded += from.size();
    values_of(to) = std::move(from);
  }
  void download(const fhe::ResidentArray& from, fhe::LweCiphertextArray& to) override {
    downloaded += from.size();
    to = values_of(from);
  }
  void bootstrap_resident(const fhe::ServerKey& key, const fhe::ResidentArray& inputs,
                          std::span<const fhe::LookupTable* const> tables, fhe::ResidentArray& outputs) override {
    cpu->programmable_bootstrap_batch(key, values_of(inputs), tables, values_of(outputs));
  }
  void linear_resident(const fhe::ResidentLinearBatch& batch, fhe::ResidentArray& outputs) override {
    fhe::LinearBatch host;
    static_cast<fhe::LinearTerms&>(host) = batch;
    for (const fhe::ResidentArray* source : batch.sources) host.sources.push_back(&values_of(*source));
    cpu->linear_batch(host, values_of(outputs));
  }

  std::unique_ptr<fhe::Backend> cpu = fhe::make_cpu_backend(test_pool());
  std::uint64_t uploaded = 0, downloaded = 0;  // ciphertexts
};

TEST(ServerResidentRows, OnlyTheInputAndTheOutputCrossTheBackendBoundary) {
  constexpr std::int64_t kSize = 8;
  const nn::quant::QuantizedCircuit& circuit = small_circuit(nn::quant::QuantizationMode::ReferenceCompatible,
                                                             nn::quant::NBits{3, 2, 2, 8}, std::nullopt, kSize);
  const compiler::FheProgram program = compiler::compile_program(circuit, forced_set("insecure_toy_p6"));
  const TestKeys& keys = test_keys("insecure_toy_p6");
  OpaqueRowsBackend backend;
  Server server(program, keys.server, backend, test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  const fhe::SeededLweBatch input = encrypt_image(program, keys.client, image, 500);
  const fhe::CiphertextBatch out = server.run(input);
  EXPECT_EQ(decrypt_integers(keys.client, out.ciphertexts, program.output.exponent), clear_integers(circuit, image));
  EXPECT_EQ(backend.uploaded, input.size());
  EXPECT_EQ(backend.downloaded, out.ciphertexts.size());
}

}  // namespace
}  // namespace veil::runtime
