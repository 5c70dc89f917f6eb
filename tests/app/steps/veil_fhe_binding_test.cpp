// Files bound to their model (issue 14): two models of the same network and parameter set
// (calibrated on different images), one client key. A spec with a flipped byte, model B's
// spec on model A's output and an input encrypted under B's spec are refused by encrypt,
// decrypt and run, naming both digests, and leave no output behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>

#include "app/cli_test_network.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/client/client_spec.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::app {
namespace {

namespace fs = std::filesystem;
using namespace testing;

constexpr auto kAllow = fhe::AllowInsecure::for_tests;

class VeilFheBinding : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("veil_fhe_binding_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    std::ostringstream log;
    compile_step(test_graph(), test_calibration(), test_config(), test_compile_options(), 2, dir_ / "a", log);
    compile_step(test_graph(), nn::make_small_images(8, 99, kImageSize), test_config(), test_compile_options(), 2,
                 dir_ / "b", log);
    rng_ = std::make_unique<fhe::Csprng>(fhe::Csprng::from_seed_insecure_for_tests(6));
    keygen_step(spec('a'), dir_ / "keys", 2, *rng_, kAllow, log);
    encrypt_step(spec('a'), client_key(), test_image(0), dir_ / "a.slwe", *rng_, log, kAllow);
    encrypt_step(spec('b'), client_key(), test_image(0), dir_ / "b.slwe", *rng_, log, kAllow);
  }
  static void TearDownTestSuite() {
    rng_.reset();
    fs::remove_all(dir_);
  }

  static fs::path spec(char model) { return dir_ / std::string(1, model) / kClientSpecFile; }
  static fs::path model(char model) { return dir_ / std::string(1, model) / kModelFile; }
  static fs::path client_key() { return dir_ / "keys" / kClientKeyFile; }
  static std::string digest(char model) {
    return client::spec_digest(client::load_client_spec_file(spec(model))).short_hex();
  }

  // The error message of `step` ("" when it succeeds).
  static std::string error_of(const std::function<void(std::ostream&)>& step) {
    std::ostringstream log;
    try {
      step(log);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  static std::string run_error(char model_name, const fs::path& input, const fs::path& out_file) {
    return error_of([&](std::ostream& log) {
      run_step(model(model_name), dir_ / "keys" / kServerKeyFile, input, out_file, 2, false, kAllow, nullptr, false,
               log);
    });
  }

  // Model A's output for a.slwe, run on first use (CTest runs each test in its own process).
  static fs::path output_a() {
    static const std::string error = run_error('a', dir_ / "a.slwe", dir_ / "a.lwe");
    EXPECT_EQ(error, "");
    return dir_ / "a.lwe";
  }

  static fs::path dir_;
  static std::unique_ptr<fhe::Csprng> rng_;
};

fs::path VeilFheBinding::dir_;
std::unique_ptr<fhe::Csprng> VeilFheBinding::rng_;

TEST_F(VeilFheBinding, TheTwoModelsHaveDifferentSpecs) { EXPECT_NE(digest('a'), digest('b')); }

// A flipped digit of the output scale used to parse as another spec, and decrypt with it.
TEST_F(VeilFheBinding, SpecWithAFlippedByteIsRefused) {
  std::string text = read_file_limited(spec('a'), "client spec", client::kMaxClientSpecBytes);
  const std::size_t digit = text.find_first_of("123456789", text.find("\"output_scale\""));
  text[digit] = text[digit] == '9' ? '8' : static_cast<char>(text[digit] + 1);
  fs::create_directories(dir_ / "flipped");
  for (const char* name : {kModelFile, kCompileOptionsFile})
    fs::copy_file(dir_ / "a" / name, dir_ / "flipped" / name, fs::copy_options::overwrite_existing);
  write_file_atomically(dir_ / "flipped" / kClientSpecFile, text);
  const fs::path flipped = dir_ / "flipped" / kClientSpecFile;

  const std::string encrypt_error = error_of([&](std::ostream& log) {
    encrypt_step(flipped, client_key(), test_image(0), dir_ / "x.slwe", *rng_, log, kAllow);
  });
  EXPECT_NE(encrypt_error.find("client spec: checksum mismatch: the file says " + digest('a')), std::string::npos)
      << encrypt_error;
  EXPECT_FALSE(fs::exists(dir_ / "x.slwe"));
  EXPECT_NE(error_of([&](std::ostream& log) {
              keygen_step(flipped, dir_ / "x_keys", 2, *rng_, kAllow, log);
            }).find("checksum mismatch"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "x_keys"));
  EXPECT_NE(error_of([&](std::ostream& log) {
              decrypt_step(flipped, client_key(), output_a(), {}, log, kAllow);
            }).find("checksum mismatch"),
            std::string::npos);
  const std::string run_message = error_of([&](std::ostream& log) {
    run_step(dir_ / "flipped" / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "a.slwe", dir_ / "x.lwe", 2, false,
             kAllow, nullptr, false, log);
  });
  EXPECT_NE(run_message.find("checksum mismatch"), std::string::npos) << run_message;
  EXPECT_FALSE(fs::exists(dir_ / "x.lwe"));
}

// Model B's spec used to decrypt model A's output into B's scales, with rc 0.
TEST_F(VeilFheBinding, SpecOfAnotherModelDoesNotDecryptTheOutput) {
  EXPECT_EQ(error_of([&](std::ostream& log) { decrypt_step(spec('a'), client_key(), output_a(), {}, log, kAllow); }),
            "");
  const std::string message =
      error_of([&](std::ostream& log) { decrypt_step(spec('b'), client_key(), output_a(), {}, log, kAllow); });
  EXPECT_NE(message.find("client: the output was computed for client spec " + digest('a') + ", this client's spec is " +
                         digest('b')),
            std::string::npos)
      << message;
}

// An input quantized and encoded by B's spec used to run on model A.
TEST_F(VeilFheBinding, InputEncryptedForAnotherModelIsRefusedByTheServer) {
  const std::string message = run_error('a', dir_ / "b.slwe", dir_ / "never.lwe");
  EXPECT_NE(message.find("server: the input was encrypted for client spec " + digest('b') +
                         ", this program publishes client spec " + digest('a')),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(dir_ / "never.lwe"));
}

}  // namespace
}  // namespace veil::app
