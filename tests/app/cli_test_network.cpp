#include "app/cli_test_network.hpp"

#include "veil/common/thread_pool.hpp"
#include "veil/compiler/compile_float_graph.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::app::testing {
namespace {

constexpr std::uint32_t kSeed = 21;
// Lookups of at most 6 bits: insecure_toy_p6 holds them below 2^-40.
constexpr const char* kToySet = "insecure_toy_p6";

}  // namespace

nn::Graph test_graph() { return nn::make_small_resnet(kSeed, kImageSize); }

Tensor test_calibration() { return nn::make_small_images(8, kSeed + 1, kImageSize); }

Tensor test_image(std::int64_t index) {
  const Tensor images = nn::make_small_images(index + 1, kSeed + 2, kImageSize);
  const std::size_t per_image = images.data.size() / static_cast<std::size_t>(index + 1);
  return Tensor({3, kImageSize, kImageSize},
                std::vector<float>(images.data.begin() + static_cast<std::ptrdiff_t>(per_image * index),
                                   images.data.begin() + static_cast<std::ptrdiff_t>(per_image * (index + 1))));
}

nn::quant::QuantizationConfig test_config() {
  nn::quant::QuantizationConfig config;
  config.mode = nn::quant::QuantizationMode::ReferenceCompatible;
  config.n_bits = {3, 2, 2, 8};
  config.rounding_bits = std::nullopt;
  return config;
}

compiler::CompileOptions test_compile_options() {
  compiler::CompileOptions options;
  options.p_error = 0x1p-40;
  options.parameter_set = kToySet;
  options.allow = fhe::AllowInsecure::for_tests;
  return options;
}

app::ModeReads test_reads() {
  const app::ReadSettings reads{test_config().rounding_bits, test_compile_options().p_error, 0};
  return {reads, reads};
}

const compiler::FheProgram& test_program() {
  static const compiler::FheProgram program = [] {
    ThreadPool pool(2);
    return compiler::compile_float_graph(test_graph(), test_calibration(), test_config(), test_compile_options(), pool);
  }();
  return program;
}

}  // namespace veil::app::testing
