// veil_fhe's steps end to end through files on the small network and a toy set (compile,
// keygen, encrypt, run, decrypt): the decrypted top-5 is the noise-free run's; mismatched
// keys, a model dir from another compile and corrupt files are refused with clear errors and
// leave no output behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "app/cli_test_network.hpp"
#include "veil/app/steps/files.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/common/file_io.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/runtime/compile_options_file.hpp"

namespace veil::app {
namespace {

namespace fs = std::filesystem;
using namespace testing;

constexpr auto kAllow = fhe::AllowInsecure::for_tests;

class VeilFheSteps : public ::testing::Test {
 protected:
  // One compile, two key sets and one encrypted image for the whole suite (CTest runs each
  // test in its own process: the server's run is made only by the tests that read it).
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("veil_fhe_steps_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    std::ostringstream log;
    compile_step(test_graph(), test_calibration(), test_config(), test_compile_options(), 2, dir_ / "model", log);
    rng_ = std::make_unique<fhe::Csprng>(fhe::Csprng::from_seed_insecure_for_tests(5));
    keygen_step(spec(), dir_ / "keys", 2, *rng_, kAllow, log);
    keygen_step(spec(), dir_ / "other_keys", 2, *rng_, kAllow, log);
    encrypt_step(spec(), dir_ / "keys" / kClientKeyFile, test_image(0), dir_ / "input.slwe", *rng_, log, kAllow);
  }
  static void TearDownTestSuite() {
    rng_.reset();
    fs::remove_all(dir_);
  }

  static fs::path spec() { return dir_ / "model" / kClientSpecFile; }
  static fs::path model() { return dir_ / "model" / kModelFile; }
  // The server's output for input.slwe, run on first use.
  static fs::path output() {
    static const std::string error =
        run_error(model(), dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", dir_ / "output.lwe");
    EXPECT_EQ(error, "");
    return dir_ / "output.lwe";
  }

  // run with the suite's files unless replaced; returns the error message ("" on success).
  static std::string run_error(const fs::path& model_file, const fs::path& server_key, const fs::path& input,
                               const fs::path& out_file) {
    std::ostringstream log;
    try {
      run_step(model_file, server_key, input, out_file, 2, false, kAllow, nullptr, false, log);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  static void corrupt_copy(const fs::path& from, const fs::path& to, std::size_t offset) {
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
    std::fstream f(to, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(offset));
    const char c = static_cast<char>(f.get() ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(c);
  }

  static fs::path dir_;
  static std::unique_ptr<fhe::Csprng> rng_;
};

fs::path VeilFheSteps::dir_;
std::unique_ptr<fhe::Csprng> VeilFheSteps::rng_;

TEST_F(VeilFheSteps, CompileWritesTheModelDirectory) {
  for (const char* name : {kModelFile, kCompileOptionsFile, kClientSpecFile, kStatisticsFile})
    EXPECT_TRUE(fs::is_regular_file(dir_ / "model" / name)) << name;
  const runtime::RecordedCompileOptions recorded =
      runtime::parse_compile_options(read_text_file(dir_ / "model" / kCompileOptionsFile));
  EXPECT_EQ(recorded.parameter_sets, std::vector<std::string>{"insecure_toy_p6"});
  EXPECT_EQ(recorded.p_error, 0x1p-40);
  EXPECT_EQ(recorded.program_fingerprint,
            compiler::circuit_fingerprint(compiler::load_quantized_circuit_file(model())));
  EXPECT_EQ(fs::status(dir_ / "keys" / kClientKeyFile).permissions() & fs::perms::group_read, fs::perms::none);
}

TEST_F(VeilFheSteps, DecryptedTop5IsTheNoiseFreeRuns) {
  std::ostringstream log;
  const std::vector<std::string> names = {"zero", "one", "two",   "three", "four",
                                          "five", "six", "seven", "eight", "nine"};
  const std::vector<nn::Prediction> top5 =
      decrypt_step(spec(), dir_ / "keys" / kClientKeyFile, output(), names, log, kAllow);

  nn::quant::IntegerExecutor executor(compiler::load_quantized_circuit_file(model()), 2);
  const Tensor image = test_image(0);
  Tensor logits;
  executor.run(Tensor({1, 3, kImageSize, kImageSize}, image.data), logits);
  const std::vector<std::int64_t> expected = nn::make_top_k(logits.data, 5);
  ASSERT_EQ(top5.size(), 5u);
  for (std::size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(top5[k].index, expected[k]) << k;
    EXPECT_EQ(top5[k].name, names[static_cast<std::size_t>(expected[k])]);
  }
  EXPECT_NE(log.str().find("Top 5 classes"), std::string::npos) << log.str();
  EXPECT_NE(log.str().find("IND-CPA^D"), std::string::npos) << log.str();  // the caveat of a loose p_error
}

TEST_F(VeilFheSteps, RefusesMismatchedKeysAndLeavesNoOutput) {
  const fs::path output = dir_ / "refused.lwe";
  const std::string message = run_error(model(), dir_ / "other_keys" / kServerKeyFile, dir_ / "input.slwe", output);
  EXPECT_NE(message.find("mismatched keys"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(output));

  // The output decrypted with another client's key.
  std::ostringstream log;
  EXPECT_THROW(decrypt_step(spec(), dir_ / "other_keys" / kClientKeyFile, VeilFheSteps::output(), {}, log, kAllow),
               InvalidArgument);
}

TEST_F(VeilFheSteps, RefusesCorruptFiles) {
  const fs::path output = dir_ / "never.lwe";
  corrupt_copy(dir_ / "input.slwe", dir_ / "corrupt.slwe", 40);
  EXPECT_NE(run_error(model(), dir_ / "keys" / kServerKeyFile, dir_ / "corrupt.slwe", output), "");
  corrupt_copy(dir_ / "keys" / kServerKeyFile, dir_ / "corrupt_server.key", 100);
  EXPECT_NE(run_error(model(), dir_ / "corrupt_server.key", dir_ / "input.slwe", output), "");

  fs::create_directories(dir_ / "corrupt_model");
  for (const char* name : {kCompileOptionsFile, kClientSpecFile})
    fs::copy_file(dir_ / "model" / name, dir_ / "corrupt_model" / name, fs::copy_options::overwrite_existing);
  corrupt_copy(model(), dir_ / "corrupt_model" / kModelFile, 64);
  EXPECT_NE(run_error(dir_ / "corrupt_model" / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", output),
            "");
  EXPECT_FALSE(fs::exists(output));
  std::ostringstream log;
  EXPECT_THROW(decrypt_step(spec(), dir_ / "keys" / kClientKeyFile, dir_ / "input.slwe", {}, log, kAllow), FormatError);
}

// compile_options.json from another compile (another model): the server must not compile
// the model with options recorded for something else.
TEST_F(VeilFheSteps, RefusesCompileOptionsOfAnotherModel) {
  const fs::path other = dir_ / "other_model";
  fs::create_directories(other);
  fs::copy_file(model(), other / kModelFile, fs::copy_options::overwrite_existing);
  fs::copy_file(spec(), other / kClientSpecFile, fs::copy_options::overwrite_existing);
  runtime::RecordedCompileOptions recorded =
      runtime::parse_compile_options(read_text_file(dir_ / "model" / kCompileOptionsFile));
  recorded.program_fingerprint = std::string(64, '0');
  write_file_atomically(other / kCompileOptionsFile, runtime::compile_options_json(recorded));
  const std::string message =
      run_error(other / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", dir_ / "never.lwe");
  EXPECT_NE(message.find("written for another model"), std::string::npos) << message;

  fs::remove(other / kCompileOptionsFile);
  EXPECT_NE(run_error(other / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", dir_ / "never.lwe")
                .find(kCompileOptionsFile),
            std::string::npos);
}

// Issue 14: a flipped digit of p_error in compile_options.json made run compile another program
// and succeed. Its checksum now refuses it, naming the file.
TEST_F(VeilFheSteps, RefusesAlteredCompileOptions) {
  const fs::path other = dir_ / "altered_options";
  fs::create_directories(other);
  for (const char* name : {kModelFile, kClientSpecFile})
    fs::copy_file(dir_ / "model" / name, other / name, fs::copy_options::overwrite_existing);
  std::string text = read_text_file(dir_ / "model" / kCompileOptionsFile);
  const std::size_t digit = text.find_first_of("123456789", text.find("\"p_error\""));
  text[digit] = text[digit] == '1' ? '2' : '1';
  write_file_atomically(other / kCompileOptionsFile, text);
  const std::string message =
      run_error(other / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", dir_ / "never.lwe");
  EXPECT_NE(message.find((other / kCompileOptionsFile).string() + ": compile options: checksum mismatch"),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(dir_ / "never.lwe"));
}

// Issue 14: model.qcir was loaded with a 4 GiB cap whatever the model. run now loads it with the
// payload size compile recorded, so a model file declaring more is refused from its 20-byte header
// (a pipe could otherwise make it read up to 4 GiB) with both sizes named.
TEST_F(VeilFheSteps, LoadsTheModelWithTheRecordedSize) {
  const fs::path other = dir_ / "larger_model";
  fs::create_directories(other);
  for (const char* name : {kCompileOptionsFile, kClientSpecFile})
    fs::copy_file(dir_ / "model" / name, other / name, fs::copy_options::overwrite_existing);
  const std::uint64_t recorded =
      runtime::parse_compile_options(read_text_file(dir_ / "model" / kCompileOptionsFile)).model_payload_bytes;
  EXPECT_EQ(recorded, fs::file_size(model()) - 52);  // the envelope: 20-byte header, 32-byte checksum
  // The model's bytes with one more payload byte declared and present.
  std::ifstream in(model(), std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  const std::uint64_t declared = recorded + 1;
  for (int i = 0; i < 8; ++i) bytes[12 + i] = static_cast<char>(declared >> (8 * i));
  bytes.insert(20, 1, '\0');
  write_file_atomically(other / kModelFile, bytes);
  const std::string message =
      run_error(other / kModelFile, dir_ / "keys" / kServerKeyFile, dir_ / "input.slwe", dir_ / "never.lwe");
  EXPECT_NE(message.find((other / kModelFile).string() + ": model file: payload length " + std::to_string(declared) +
                         " exceeds the limit of " + std::to_string(recorded) + " bytes"),
            std::string::npos)
      << message;
  EXPECT_FALSE(fs::exists(dir_ / "never.lwe"));
}

TEST_F(VeilFheSteps, EncryptRefusesAnImageThatDoesNotFit) {
  std::ostringstream log;
  EXPECT_THROW(encrypt_step(spec(), dir_ / "keys" / kClientKeyFile, Tensor({3, kImageSize - 1, kImageSize - 1}),
                            dir_ / "small.slwe", *rng_, log, kAllow),
               InvalidArgument);
  EXPECT_FALSE(fs::exists(dir_ / "small.slwe"));
  // A larger image is centre-cropped to the model's input.
  encrypt_step(spec(), dir_ / "keys" / kClientKeyFile, Tensor({3, kImageSize + 4, kImageSize + 4}),
               dir_ / "cropped.slwe", *rng_, log, kAllow);
  EXPECT_TRUE(fs::exists(dir_ / "cropped.slwe"));
}

}  // namespace
}  // namespace veil::app
