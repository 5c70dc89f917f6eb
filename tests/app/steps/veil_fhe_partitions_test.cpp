// A multi-parameter program through veil_fhe's steps and files: compile records three toy
// partitions (one k, N and GLWE noise; n 256, 224, 192) and each site's partition, keygen
// writes every partition's keys, the server recompiles the recorded assignment from
// compile_options.json, and the decrypted output integers equal the integer executor's exactly
// (a PBS run with another partition's key would decrypt to garbage).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "app/cli_test_network.hpp"
#include "runtime/runtime_test_support.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client.hpp"
#include "veil/common/file_io.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/runtime/compile_options_file.hpp"

namespace veil::app {
namespace {

namespace fs = std::filesystem;

constexpr auto kAllow = fhe::AllowInsecure::for_tests;

TEST(VeilFhePartitions, ThreeToyPartitionsThroughEveryStepDecryptExactly) {
  const fs::path dir = fs::temp_directory_path() / ("veil_fhe_partitions_" + std::to_string(getpid()));
  fs::remove_all(dir);
  compiler::CompileOptions options = testing::test_compile_options();
  options.parameter_set.reset();
  compiler::PinnedPartitions pinned{{"insecure_toy_p6", "insecure_toy_p6_n224", "insecure_toy_p6_n192"}, {}};
  for (std::size_t i = 0; i < testing::test_program().pbs_sites.size(); ++i) {
    pinned.site_partition.push_back(static_cast<int>(i % 3));
  }
  ASSERT_GE(pinned.site_partition.size(), 3u);
  options.pinned_partitions = pinned;

  std::ostringstream log;
  compile_step(testing::test_graph(), testing::test_calibration(), testing::test_config(), options, 2, dir / "model",
               log);
  const runtime::RecordedCompileOptions recorded =
      runtime::parse_compile_options(read_text_file(dir / "model" / kCompileOptionsFile));
  EXPECT_EQ(recorded.parameter_sets, pinned.sets);
  EXPECT_EQ(recorded.site_partitions, pinned.site_partition);
  const fs::path spec = dir / "model" / kClientSpecFile;
  EXPECT_EQ(client::load_client_spec_file(spec).parameter_sets, pinned.sets);

  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(9);
  keygen_step(spec, dir / "keys", 2, rng, kAllow, log);
  const Tensor image = testing::test_image(0);
  encrypt_step(spec, dir / "keys" / kClientKeyFile, image, dir / "input.slwe", rng, log, kAllow);
  run_step(dir / "model" / kModelFile, dir / "keys" / kServerKeyFile, dir / "input.slwe", dir / "output.lwe", 2, false,
           kAllow, nullptr, false, log);
  EXPECT_NE(log.str().find("parameter sets insecure_toy_p6, insecure_toy_p6_n224, insecure_toy_p6_n192"),
            std::string::npos)
      << log.str();

  const fhe::IdentifiedServerKey server_key =
      fhe::load_server_key_file(dir / "keys" / kServerKeyFile, {.allow = kAllow});
  EXPECT_EQ(server_key.partition_count(), 3u);
  const client::Client client(client::load_client_spec_file(spec),
                              fhe::load_client_keys_file(dir / "keys" / kClientKeyFile, {.allow = kAllow}));
  EXPECT_EQ(client.key_id(), server_key.key_id);
  const nn::quant::IntTensor decrypted = client.decrypt_integers(fhe::load_ciphertext_batch_file(dir / "output.lwe"));
  EXPECT_EQ(decrypted.data,
            runtime::testing::clear_integers(compiler::load_quantized_circuit_file(dir / "model" / kModelFile), image));

  // The decrypt step with the same files: its top-5 comes from these integers.
  EXPECT_EQ(decrypt_step(spec, dir / "keys" / kClientKeyFile, dir / "output.lwe", {}, log, kAllow).size(), 5u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace veil::app
