#pragma once
// How each quantization mode's lookups read their accumulators and at what noise, and whether
// its rounded weights' bias is corrected, by default and after the command line (--rounding-bits,
// --p-error, --p-error-bits, --[no-]bias-correction apply to every mode). The reference mode keeps
// Concrete ML's setting: 7-bit reads at p_error 0.05, no bias correction. The improved mode reads
// 10 bits under the noise of a 7-bit read (docs/fhe_compiler.md, "Fine reads"): the set and its
// cost stay those of a 7-bit lookup while the rounding error shrinks 64-fold. The weights'
// rounding is then the largest error left, so bias correction pays (it hurts under 7-bit reads),
// and together they take a looser p_error at no loss of accuracy (0.1: docs/fhe_compiler.md,
// "Fine reads with bias correction"; tools/choose_fine_reads.py reruns the choice on other weights).
#include <optional>
#include <string>

#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app {

struct ReadSettings {
  std::optional<int> rounding_bits;  // nn::quant::QuantizationConfig::rounding_bits
  double p_error = 0.05;             // compiler::CompileOptions::p_error
  int p_error_bits = 0;              // compiler::CompileOptions::p_error_bits
  bool bias_correction = false;      // nn::quant::QuantizationConfig::bias_correction (improved mode only)
};

struct ModeReads {
  ReadSettings reference{7, 0.05, 0};
  ReadSettings improved{10, 0.1, 7, true};

  const ReadSettings& of(nn::quant::QuantizationMode mode) const {
    return mode == nn::quant::QuantizationMode::ReferenceCompatible ? reference : improved;
  }
};

/// `config` reading as `reads` says (its rounding bits and bias correction).
nn::quant::QuantizationConfig with_reads(nn::quant::QuantizationConfig config, const ReadSettings& reads);
/// `options` held to `reads`' p_error, stated for its p_error_bits.
compiler::CompileOptions with_reads(compiler::CompileOptions options, const ReadSettings& reads);

/// "p_error 0.05" or "p_error 0.1 as a 7-bit read".
std::string describe_p_error(const ReadSettings& reads);

}  // namespace veil::app
