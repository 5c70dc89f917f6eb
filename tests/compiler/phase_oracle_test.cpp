// The torus-level oracle on the small seeded ResNet: compiled programs evaluated on noiseless
// phases decode to exactly nn's integer executor, for both quantization modes and several
// rounding widths, negacyclic wraps and rounding ties included.
#include <gtest/gtest.h>

#include <cstdio>

#include "compiler/phase_evaluator.hpp"
#include "compiler/small_network.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/quant/integer_executor.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationMode;

constexpr std::int64_t kImages = 48;

struct Setting {
  QuantizationMode mode;
  std::optional<int> rounding_bits;
  int n_bits;
};

std::string describe(const Setting& s) {
  return std::string(s.mode == QuantizationMode::Improved ? "improved" : "reference") + ", n_bits " +
         std::to_string(s.n_bits) + ", rounding " + (s.rounding_bits ? std::to_string(*s.rounding_bits) : "none");
}

TEST(PhaseOracle, NoiselessPhasesEqualTheIntegerExecutor) {
  const Tensor images = testing::small_network_images(kImages);
  const std::int64_t image_size = element_count(images.shape) / kImages;
  std::uint64_t ties = 0, wraps_checked = 0;
  for (QuantizationMode mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    for (std::optional<int> rounding :
         {std::optional<int>{7}, std::optional<int>{5}, std::optional<int>{3}, std::optional<int>{}}) {
      for (int n_bits : {8, 4}) {
        const Setting setting{mode, rounding, n_bits};
        SCOPED_TRACE(describe(setting));
        const nn::quant::QuantizedCircuit& circuit = testing::small_network(mode, rounding, n_bits);
        // Any target: the encodings do not depend on the set, only the table sizes do.
        CompileOptions options;
        options.p_error = 1;
        FheProgram program;
        try {
          program = compile_program(circuit, options);
        } catch (const InvalidArgument& e) {
          std::printf("%s: not compiled (%s)\n", describe(setting).c_str(), e.what());
          ASSERT_FALSE(rounding.has_value()) << e.what();
          continue;
        }
        nn::quant::IntTensor expected;
        nn::quant::IntegerExecutor(circuit, 1).run_integers(images, expected);
        testing::PhaseEvaluator evaluator(program);
        const std::size_t outputs = expected.data.size() / kImages;
        for (std::int64_t i = 0; i < kImages; ++i) {
          const std::vector<std::int64_t> found = evaluator.run(images.data.data() + i * image_size);
          const std::vector<std::int64_t> want(expected.data.begin() + i * static_cast<std::int64_t>(outputs),
                                               expected.data.begin() + (i + 1) * static_cast<std::int64_t>(outputs));
          ASSERT_EQ(found, want) << "image " << i;
        }
        int max_bits = 0;
        for (const PbsSite& s : program.pbs_sites) max_bits = std::max(max_bits, s.precision_bits);
        std::printf("%s: %s, %zu sites, p <= %d, %llu PBS of which %llu on a tie\n", describe(setting).c_str(),
                    program.params.name.c_str(), program.pbs_sites.size(), max_bits,
                    static_cast<unsigned long long>(evaluator.pbs()),
                    static_cast<unsigned long long>(evaluator.ties()));
        ties += evaluator.ties();
        ++wraps_checked;
      }
    }
  }
  EXPECT_GT(ties, 100u) << "too few rounding ties to check the half-up read";
  EXPECT_GE(wraps_checked, 12u);
}

}  // namespace
}  // namespace veil::compiler
