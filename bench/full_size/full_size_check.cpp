// The full-size check (issue 12 item 5; scripts/check-full-size.sh runs it): one 224 x 224 image
// through the whole ResNet-18 in real FHE arithmetic, through the files and steps of veil_fhe
// (compile, keygen, encrypt, run, decrypt), on the INSECURE toy set insecure_toy_p6_n8_N1024.
// The decrypted output integers must equal the integer executor's exactly.
//
// Exactness needs lookups without rounding (a rounded read of a wide accumulator sits on a tie
// with probability 2^-shift, and the modulus switch cannot resolve single accumulator units),
// so the network is quantized at 2 bits with lookups reading whole accumulators, and the weights
// must keep those accumulators within 6 bits: the sparse checkpoint of
// tests/reference/make_nn_fixtures.py --sparse. What it proves is the full-size pipeline (shapes,
// borders, streaming, memory, the 7 x 7 average pool, files), not accuracy.
//
//   veil_full_size_check --insecure-toy-set-for-tests --weights W.pth --work-dir DIR
//                        [--data DIR] [--image-index I] [--threads T]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"
#include "veil/io/state_dict.hpp"
#include "veil/nn/fold_batch_norm.hpp"
#include "veil/nn/labelled_images.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/nn/resnet18.hpp"
#include "veil/client/client.hpp"

namespace fs = std::filesystem;
using namespace veil;

namespace {

constexpr const char* kToySet = "insecure_toy_p6_n8_N1024";
constexpr std::size_t kCalibrationImages = 10;

struct Args {
  bool insecure_confirmed = false;
  fs::path weights, work_dir, data = "../shared/data";
  std::size_t image_index = kCalibrationImages;  // the first image after the calibration ones
  std::size_t threads = 0;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw InvalidArgument(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--insecure-toy-set-for-tests")
      a.insecure_confirmed = true;
    else if (flag == "--weights")
      a.weights = value();
    else if (flag == "--work-dir")
      a.work_dir = value();
    else if (flag == "--data")
      a.data = value();
    else if (flag == "--image-index")
      a.image_index = std::stoul(value());
    else if (flag == "--threads")
      a.threads = std::stoul(value());
    else
      throw InvalidArgument("unknown flag " + flag);
  }
  if (!a.insecure_confirmed)
    throw InvalidArgument("this check runs on the INSECURE toy set " + std::string(kToySet) +
                          ": pass --insecure-toy-set-for-tests to confirm it is a test");
  if (a.weights.empty() || a.work_dir.empty()) throw InvalidArgument("--weights and --work-dir are required");
  return a;
}

// Preprocessed images [first, first + count) of the labelled folder, as one batch.
Tensor read_images(const fs::path& data, std::size_t first, std::size_t count) {
  const auto dataset = io::make_folder_dataset(data / "imagenet-val100", data / "labels" / "xiaobozhao_val100.csv");
  std::vector<LabelledImage> items;
  LabelledImage item;
  for (std::size_t index = 0; items.size() < count && dataset->next(item); ++index) {
    if (index < first) continue;
    if (!io::prepare_image(item, io::PreprocessConfig{}))
      throw FormatError("image " + std::to_string(index) + ": " + item.error);
    items.push_back(std::move(item));
  }
  if (items.size() < count) throw InvalidArgument("the dataset ends before image " + std::to_string(first + count - 1));
  Tensor batch;
  nn::stack_images(items, batch);
  return batch;
}

double peak_rss_gib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / (1024.0 * 1024.0);  // ru_maxrss is in KiB
}

// Runs one step, then prints its wall time and the process's peak RSS so far.
template <class Step>
void timed(const char* name, Step&& step) {
  const auto start = std::chrono::steady_clock::now();
  step();
  std::printf("== %s: %.1f s, peak RSS so far %.2f GiB\n", name,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), peak_rss_gib());
  std::fflush(stdout);
}

int check(const Args& a) {
  std::printf("INSECURE: toy parameter set %s (n 8: no security), for the full-size pipeline check only\n", kToySet);
  const std::size_t threads = a.threads ? a.threads : std::max(1u, std::thread::hardware_concurrency());
  const fs::path model_dir = a.work_dir / "model", keys_dir = a.work_dir / "keys";
  const fs::path input = a.work_dir / "in.slwe", output = a.work_dir / "out.lwe";
  fs::create_directories(model_dir);
  fs::create_directories(keys_dir);
  const Tensor batch = read_images(a.data, a.image_index, 1);
  const Tensor image(Shape(batch.shape.begin() + 1, batch.shape.end()), batch.data);

  timed("compile", [&] {
    nn::Graph graph = nn::make_resnet18(io::load_state_dict(a.weights));
    nn::fold_batch_norm_inplace(graph);
    nn::quant::QuantizationConfig config;
    config.mode = nn::quant::QuantizationMode::Improved;
    config.n_bits = {2, 2, 2, 8};
    config.rounding_bits = std::nullopt;  // whole accumulators: no rounding ties (see the top)
    compiler::CompileOptions options;
    options.parameter_set = kToySet;
    options.p_error = 0x1p-40;
    options.allow = fhe::AllowInsecure::for_tests;
    app::compile_step(graph, read_images(a.data, 0, kCalibrationImages), config, options, threads, model_dir,
                      std::cout);
  });
  fhe::Csprng rng;
  const fs::path spec = model_dir / app::kClientSpecFile, client_key = keys_dir / app::kClientKeyFile;
  timed("keygen", [&] { app::keygen_step(spec, keys_dir, threads, rng, fhe::AllowInsecure::for_tests, std::cout); });
  timed("encrypt",
        [&] { app::encrypt_step(spec, client_key, image, input, rng, std::cout, fhe::AllowInsecure::for_tests); });
  timed("run", [&] {
    app::run_step(model_dir / app::kModelFile, keys_dir / app::kServerKeyFile, input, output, threads, false,
                  fhe::AllowInsecure::for_tests, &std::cerr, false, std::cout);
  });

  nn::quant::IntTensor decrypted, expected;
  timed("decrypt", [&] {
    client::ClientSpec client_spec = client::load_client_spec_file(spec);
    client::SpecLoadLimits limits = client::load_limits(client_spec);
    limits.client_key.allow = fhe::AllowInsecure::for_tests;
    const client::Client client(std::move(client_spec), fhe::load_client_keys_file(client_key, limits.client_key));
    decrypted = client.decrypt_integers(fhe::load_ciphertext_batch_file(output, limits.output));
  });
  timed("integer executor", [&] {
    nn::quant::IntegerExecutor executor(compiler::load_quantized_circuit_file(model_dir / app::kModelFile), threads);
    executor.run_integers(batch, expected);
  });
  std::size_t differing = 0;
  for (std::size_t i = 0; i < expected.data.size(); ++i) differing += decrypted.data.at(i) != expected.data[i];
  std::printf("%zu output integers, %zu differ from the integer executor's\n", expected.data.size(), differing);
  if (decrypted.data.size() != expected.data.size() || differing) {
    std::printf("FULL-SIZE CHECK FAILED\n");
    return 1;
  }
  std::printf("FULL-SIZE CHECK PASSED: the decrypted 224 x 224 output equals the integer executor's\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return check(parse(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "veil_full_size_check: %s\n", e.what());
    return 2;
  }
}
