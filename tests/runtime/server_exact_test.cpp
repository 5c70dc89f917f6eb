// The server in real FHE on an insecure toy set: every lookup reads without rounding
// (shift 0) and every PBS is predicted to fail with probability <= 2^-40, so the decrypted
// output must EQUAL the integer executor's, image by image, for both max-pool schedules.
// Also: PBS counts and progress reports, and the checks run() makes on its input.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <numeric>
#include <vector>

#include "runtime/runtime_test_support.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;
using nn::quant::QuantizationMode;

constexpr std::int64_t kSize = 8;
// Lookups of at most 6 bits; insecure_toy_p6 (N = 4096) holds them below 2^-40 and is ~4x
// cheaper per PBS than the toy set of 8 bits.
constexpr nn::quant::NBits kBits{3, 2, 2, 8};
constexpr const char* kToySet = "insecure_toy_p6";

std::uint64_t program_pbs(const compiler::FheProgram& program) {
  return std::accumulate(program.pbs_sites.begin(), program.pbs_sites.end(), std::uint64_t{0},
                         [](std::uint64_t s, const compiler::PbsSite& site) { return s + site.count; });
}

void expect_no_rounding(const compiler::FheProgram& program) {
  for (const auto& n : program.circuit.nodes) {
    if (const auto* l = std::get_if<nn::quant::LookupAttrs>(&n.attrs)) {
      EXPECT_EQ(l->shift, 0) << n.name;
    }
    if (const auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs)) {
      EXPECT_EQ(m->pair.shift, 0) << n.name;
    }
  }
  for (const auto& site : program.pbs_sites) {
    EXPECT_LE(site.p_error, 0x1p-40) << program.circuit.node(site.node).name;
  }
}

void expect_exact(const nn::quant::QuantizedCircuit& circuit, std::int64_t images, std::uint64_t seed) {
  const compiler::FheProgram program = compiler::compile_program(circuit, forced_set(kToySet));
  expect_no_rounding(program);
  const TestKeys& keys = test_keys(kToySet);
  const auto backend = fhe::make_cpu_backend(test_pool());
  Server server(program, keys.server, *backend, test_pool());
  const Tensor batch = small_images(images, kSize);
  const std::uint64_t total = program_pbs(program);
  for (std::int64_t n = 0; n < images; ++n) {
    const Tensor image = image_at(batch, n);
    std::uint64_t last = 0;
    const fhe::CiphertextBatch out =
        server.run(encrypt_image(program, keys.client, image, seed + static_cast<std::uint64_t>(n)),
                   [&](std::uint64_t done, std::uint64_t reported_total) {
                     EXPECT_GT(done, last);
                     EXPECT_EQ(reported_total, total);
                     last = done;
                   });
    EXPECT_EQ(last, total);
    EXPECT_EQ(server.last_run().pbs, total);
    for (const compiler::PbsSite& site : program.pbs_sites) {
      EXPECT_EQ(server.last_run().nodes[static_cast<std::size_t>(site.node)].pbs, site.count);
    }
    EXPECT_EQ(out.parameter_set_name, kToySet);
    EXPECT_EQ(out.key_id, keys.server.key_id);
    EXPECT_EQ(decrypt_integers(keys.client, out.ciphertexts, program.output.exponent), clear_integers(circuit, image))
        << "image " << n;
  }
}

// The CPU backend, counting the PBS run with each parameter set's key.
class CountingBackend : public fhe::Backend {
 public:
  std::string_view name() const override { return "counting"; }
  void programmable_bootstrap_batch(const fhe::ServerKey& key, const fhe::LweCiphertextArray& inputs,
                                    std::span<const fhe::LookupTable* const> tables,
                                    fhe::LweCiphertextArray& outputs) override {
    pbs[key.parameter_set_name()] += inputs.size();
    cpu->programmable_bootstrap_batch(key, inputs, tables, outputs);
  }
  void keyswitch_batch(const fhe::KeyswitchKey& key, const fhe::LweCiphertextArray& inputs,
                       fhe::LweCiphertextArray& outputs) override {
    cpu->keyswitch_batch(key, inputs, outputs);
  }
  void linear_batch(const fhe::LinearBatch& batch, fhe::LweCiphertextArray& outputs) override {
    cpu->linear_batch(batch, outputs);
  }
  std::unique_ptr<fhe::Backend> cpu = fhe::make_cpu_backend(test_pool());
  std::map<std::string, std::uint64_t> pbs;
};

// A multi-parameter program: the sites spread over three toy sets that share k, N and the GLWE
// noise (n 256, 224, 192), each partition with its own small key, KSK and BSK under one GLWE key.
// A PBS run with another partition's key would decrypt to garbage; the output must be exact.
TEST(ServerExact, ThreePartitionsEqualIntegerExecutor) {
  const nn::quant::QuantizedCircuit circuit =
      small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
  compiler::FheProgram program = compiler::compile_program(circuit, forced_set(kToySet));
  expect_no_rounding(program);
  for (const char* name : {"insecure_toy_p6_n224", "insecure_toy_p6_n192"}) {
    program.partitions.push_back(fhe::parameter_set_by_name(name));
  }
  ASSERT_GE(program.pbs_sites.size(), 3u);
  for (std::size_t i = 0; i < program.pbs_sites.size(); ++i) program.pbs_sites[i].partition = static_cast<int>(i % 3);
  const TestKeys& keys = test_keys(kToySet);
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(7);
  fhe::IdentifiedServerKey server_keys = keys.server;
  for (std::size_t i = 1; i < program.partitions.size(); ++i) {
    const fhe::ClientKey client =
        fhe::make_partition_client_key(keys.client, program.partitions[i], rng, fhe::AllowInsecure::for_tests);
    EXPECT_TRUE(std::ranges::equal(client.glwe_key().flattened_bits(), keys.client.glwe_key().flattened_bits()));
    server_keys.partition_keys.push_back(fhe::make_server_key(client, rng, test_pool(), fhe::AllowInsecure::for_tests));
  }
  CountingBackend backend;
  EXPECT_THROW(Server(program, keys.server, backend, test_pool()), InvalidArgument);  // keys of one partition only
  Server server(program, std::move(server_keys), backend, test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  const fhe::CiphertextBatch out = server.run(encrypt_image(program, keys.client, image, 300));
  EXPECT_EQ(decrypt_integers(keys.client, out.ciphertexts, program.output.exponent), clear_integers(circuit, image));
  std::map<std::string, std::uint64_t> expected;
  for (const compiler::PbsSite& site : program.pbs_sites) {
    expected[program.partitions[static_cast<std::size_t>(site.partition)].name] += site.count;
  }
  EXPECT_EQ(backend.pbs, expected);
  EXPECT_EQ(backend.pbs.size(), 3u);
}

// Nested GLWE keys (docs/parameters.md): the site that reads the input runs at N 2048 under the
// first half of the N 4096 key the others use; the input is encrypted under that half, its PBS
// outputs are padded into the stored (wide) rows, and the output decrypts under the wide key.
TEST(ServerExact, NestedPartitionsOfTwoPolynomialSizesEqualIntegerExecutor) {
  const nn::quant::QuantizedCircuit circuit =
      small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
  compiler::FheProgram program = compiler::compile_program(circuit, forced_set(kToySet));
  expect_no_rounding(program);
  const fhe::ParameterSet& narrow_set = fhe::parameter_set_by_name("insecure_toy_p5");  // N 2048
  program.partitions.insert(program.partitions.begin(), narrow_set);
  program.params = narrow_set;  // partition 0: the input's key
  ASSERT_GE(program.pbs_sites.size(), 2u);
  for (std::size_t i = 0; i < program.pbs_sites.size(); ++i) program.pbs_sites[i].partition = i == 0 ? 0 : 1;
  EXPECT_EQ(program.big_dimension().value, 4096u);
  const TestKeys& keys = test_keys(kToySet);
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(9);
  const fhe::ClientKey narrow =
      fhe::make_partition_client_key(keys.client, narrow_set, rng, fhe::AllowInsecure::for_tests);
  fhe::IdentifiedServerKey server_keys{fhe::key_id_of(narrow),
                                       fhe::make_server_key(narrow, rng, test_pool(), fhe::AllowInsecure::for_tests),
                                       {keys.server.key}};
  CountingBackend backend;
  Server server(program, server_keys, backend, test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  const fhe::CiphertextBatch out = server.run(encrypt_image(program, narrow, image, 400));
  ASSERT_EQ(out.ciphertexts.dimension().value, 4096u);
  EXPECT_EQ(decrypt_integers(keys.client, out.ciphertexts, program.output.exponent), clear_integers(circuit, image));
  EXPECT_EQ(backend.pbs[narrow_set.name], program.pbs_sites[0].count);
}

TEST(ServerExact, ReferenceModeWithSequentialMaxPoolEqualsIntegerExecutor) {
  expect_exact(small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize), 2, 100);
}

// The same circuit with its max-pool folded rows then columns (the improved mode's schedule).
TEST(ServerExact, SeparableMaxPoolEqualsIntegerExecutor) {
  nn::quant::QuantizedCircuit circuit =
      small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
  bool found = false;
  for (auto& n : circuit.nodes) {
    if (auto* m = std::get_if<nn::quant::MaxPool2dAttrs>(&n.attrs)) {
      m->schedule = nn::quant::MaxPoolSchedule::Separable;
      found = true;
    }
  }
  ASSERT_TRUE(found);
  expect_exact(circuit, 1, 200);
}

TEST(ServerChecks, RefusesKeysOfAnotherSetAndInputsOfAnotherKeyOrSize) {
  const auto& circuit = small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
  const compiler::FheProgram program = compiler::compile_program(circuit, forced_set(kToySet));
  const auto backend = fhe::make_cpu_backend(test_pool());
  EXPECT_THROW(Server(program, test_keys("insecure_toy_p5").server, *backend, test_pool()), InvalidArgument);

  Server server(program, test_keys(kToySet).server, *backend, test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  const TestKeys& other = test_keys(kToySet, 2);
  try {
    server.run(encrypt_image(program, other.client, image, 1));
    FAIL() << "an input of another key was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("mismatched keys"), std::string::npos) << e.what();
  }
  fhe::SeededLweBatch short_input = encrypt_image(program, test_keys(kToySet).client, image, 1);
  short_input.bodies.pop_back();
  EXPECT_THROW(server.run(short_input), InvalidArgument);
}

}  // namespace
}  // namespace veil::runtime
