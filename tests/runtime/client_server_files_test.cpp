// The whole flow through files, as two processes would run it: the client generates keys from
// the published spec, writes its server key and encrypted input; a server loads them, runs and
// writes the output; the client loads and decrypts it. On a toy set without lookup rounding the
// result equals the in-process run bit for bit and the integer executor exactly. Objects of
// another client, corrupted files, specs of other programs and inputs or outputs of another
// model are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <string>

#include "runtime/runtime_test_support.hpp"
#include "veil/client/client.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/runtime/published_client_spec.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;
using namespace veil::client;
using nn::quant::QuantizationMode;

constexpr std::int64_t kSize = 4;  // ~600 PBS per image
constexpr nn::quant::NBits kBits{3, 2, 2, 8};
constexpr const char* kToySet = "insecure_toy_p6";

class ClientServerFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("veil_runtime_files_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

const nn::quant::QuantizedCircuit& circuit() {
  return small_circuit(QuantizationMode::ReferenceCompatible, kBits, std::nullopt, kSize);
}

const compiler::FheProgram& program() {
  static const compiler::FheProgram p = compiler::compile_program(circuit(), forced_set(kToySet));
  return p;
}

void expect_mismatched_keys(const std::function<void()>& f) {
  try {
    f();
    ADD_FAILURE() << "objects of another client were accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("mismatched keys"), std::string::npos) << e.what();
  }
}

TEST_F(ClientServerFiles, RoundTripEqualsInProcessRunAndIntegerExecutor) {
  const auto backend = fhe::make_cpu_backend(test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(21);

  // Client: spec published by the server, keys, encrypted input.
  save_client_spec_file(make_client_spec(program()), dir_ / "spec.json");
  const Client client = Client::generate(load_client_spec_file(dir_ / "spec.json"), rng, fhe::AllowInsecure::for_tests);
  const fhe::IdentifiedServerKey server_key = client.make_server_key(rng, test_pool(), fhe::AllowInsecure::for_tests);
  fhe::save_client_key_file(client.key(), dir_ / "client.key");
  fhe::save_server_key_file(server_key.key, server_key.key_id, dir_ / "server.key");
  const fhe::SeededLweBatch input = client.encrypt(image, rng);
  fhe::save_seeded_lwe_batch_file(input, dir_ / "input.slwe");

  // Server: its program, the client's key and input from files.
  Server server(program(), fhe::load_server_key_file(dir_ / "server.key", {.allow = fhe::AllowInsecure::for_tests}),
                *backend, test_pool());
  EXPECT_EQ(server.key_id(), client.key_id());
  require_matching_spec(load_client_spec_file(dir_ / "spec.json"), server.program());
  fhe::save_ciphertext_batch_file(server.run(fhe::load_seeded_lwe_batch_file(dir_ / "input.slwe")),
                                  dir_ / "output.ctxt");

  // Client again, from its key file.
  const Client reloaded(load_client_spec_file(dir_ / "spec.json"),
                        fhe::load_client_key_file(dir_ / "client.key", {.allow = fhe::AllowInsecure::for_tests}));
  const fhe::CiphertextBatch output = fhe::load_ciphertext_batch_file(dir_ / "output.ctxt");
  const nn::quant::IntTensor integers = reloaded.decrypt_integers(output);
  EXPECT_EQ(integers.shape, circuit().node(circuit().output).shape);
  EXPECT_EQ(integers.data, clear_integers(circuit(), image));

  Server in_process(program(), server_key, *backend, test_pool());
  const fhe::CiphertextBatch direct = in_process.run(input);
  EXPECT_TRUE(std::ranges::equal(direct.ciphertexts.data(), output.ciphertexts.data()));

  // The logits: the executor's dequantization of the same integers.
  Shape batch{1};
  batch.insert(batch.end(), image.shape.begin(), image.shape.end());
  Tensor clear_logits;
  nn::quant::IntegerExecutor(circuit(), 1).run(Tensor(batch, image.data), clear_logits);
  const Tensor logits = reloaded.decrypt(output);
  EXPECT_EQ(logits.shape, integers.shape);
  EXPECT_EQ(logits.data, clear_logits.data);
  EXPECT_EQ(reloaded.logits(integers).data, logits.data);

  // Outputs beyond the decoded bound are counted (the client's warning), those at it are not.
  EXPECT_EQ(reloaded.outputs_beyond_bound(integers), 0u);
  nn::quant::IntTensor edited = integers;
  const std::int64_t bound = reloaded.spec().output_bound;
  edited.data.at(0) = bound;
  edited.data.at(1) = -bound - 1;
  edited.data.at(2) = bound + 7;
  EXPECT_EQ(reloaded.outputs_beyond_bound(edited), 2u);
}

TEST_F(ClientServerFiles, RefusesOtherClientsCorruptedFilesAndOtherPrograms) {
  const auto backend = fhe::make_cpu_backend(test_pool());
  const Tensor image = image_at(small_images(1, kSize), 0);
  const ClientSpec spec = make_client_spec(program());
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(22);
  const Client alice = Client::generate(spec, rng, fhe::AllowInsecure::for_tests);
  const Client bob = Client::generate(spec, rng, fhe::AllowInsecure::for_tests);
  ASSERT_FALSE(alice.key_id() == bob.key_id());
  const fhe::SeededLweBatch alice_input = alice.encrypt(image, rng);

  // A server holding Bob's key refuses Alice's input; Alice refuses an output under Bob's key.
  Server bobs_server(program(), bob.make_server_key(rng, test_pool(), fhe::AllowInsecure::for_tests), *backend,
                     test_pool());
  expect_mismatched_keys([&] { bobs_server.run(alice_input); });
  const fhe::CiphertextBatch bobs_output{kToySet, bob.key_id(), fhe::LweKeyKind::big,
                                         fhe::LweCiphertextArray(10, program().params.big_lwe_dimension()),
                                         bob.context()};
  expect_mismatched_keys([&] { alice.decrypt_integers(bobs_output); });

  // A corrupted input file.
  fhe::save_seeded_lwe_batch_file(alice_input, dir_ / "input.slwe");
  {
    std::fstream f(dir_ / "input.slwe", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(dir_ / "input.slwe") / 2));
    f.put('\x5a');
  }
  EXPECT_THROW(fhe::load_seeded_lwe_batch_file(dir_ / "input.slwe"), FormatError);

  // A spec published for another program (another circuit, same set) is refused by the server;
  // a client key of another set is refused by the client.
  const compiler::FheProgram other = compiler::compile_program(
      small_circuit(QuantizationMode::ReferenceCompatible, nn::quant::NBits{2, 2, 2, 8}, std::nullopt, kSize),
      forced_set(kToySet));
  EXPECT_THROW(require_matching_spec(make_client_spec(other), program()), InvalidArgument);
  EXPECT_THROW(Client(spec, test_keys("insecure_toy_p5").client), InvalidArgument);
  // An image of another shape.
  EXPECT_THROW(alice.encrypt(image_at(small_images(1, 8), 0), rng), InvalidArgument);
}

// Issue 14: inputs and outputs are bound to the spec of their model. A client holding model B's
// spec (same set, same input and output shapes) and the same keys encrypts an input that A's
// server refuses, and refuses A's output; both messages name both digests.
TEST_F(ClientServerFiles, RefusesInputsAndOutputsOfAnotherModel) {
  const auto backend = fhe::make_cpu_backend(test_pool());
  const compiler::FheProgram other = compiler::compile_program(
      small_circuit(QuantizationMode::ReferenceCompatible, nn::quant::NBits{2, 2, 2, 8}, std::nullopt, kSize),
      forced_set(kToySet));
  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(23);
  const Client a = Client::generate(make_client_spec(program()), rng, fhe::AllowInsecure::for_tests);
  const Client b(make_client_spec(other), a.partition_keys());
  const std::string a_digest = spec_digest(a.spec()).short_hex(), b_digest = spec_digest(b.spec()).short_hex();
  ASSERT_NE(a_digest, b_digest);
  EXPECT_EQ(a.context(), spec_digest(a.spec()));

  Server server(program(), a.make_server_key(rng, test_pool(), fhe::AllowInsecure::for_tests), *backend, test_pool());
  EXPECT_EQ(server.context(), a.context());
  try {
    server.run(b.encrypt(image_at(small_images(1, kSize), 0), rng));
    ADD_FAILURE() << "an input encrypted under model B's spec ran on model A";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("server: the input was encrypted for client spec " + b_digest +
                                         ", this program publishes client spec " + a_digest),
              std::string::npos)
        << e.what();
  }

  const fhe::CiphertextBatch a_output{kToySet, a.key_id(), fhe::LweKeyKind::big,
                                      fhe::LweCiphertextArray(10, program().params.big_lwe_dimension()), a.context()};
  EXPECT_NO_THROW(a.decrypt_integers(a_output));
  try {
    b.decrypt_integers(a_output);
    ADD_FAILURE() << "model B's spec decrypted model A's output";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("client: the output was computed for client spec " + a_digest +
                                         ", this client's spec is " + b_digest),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace veil::runtime
