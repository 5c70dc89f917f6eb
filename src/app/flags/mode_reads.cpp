#include "veil/app/flags/mode_reads.hpp"

#include <cstdio>

namespace veil::app {

nn::quant::QuantizationConfig with_reads(nn::quant::QuantizationConfig config, const ReadSettings& reads) {
  config.rounding_bits = reads.rounding_bits;
  config.bias_correction = reads.bias_correction;
  return config;
}

compiler::CompileOptions with_reads(compiler::CompileOptions options, const ReadSettings& reads) {
  options.p_error = reads.p_error;
  options.p_error_bits = reads.p_error_bits;
  return options;
}

std::string describe_p_error(const ReadSettings& reads) {
  char buf[80];
  if (reads.p_error_bits == 0)
    std::snprintf(buf, sizeof buf, "p_error %g", reads.p_error);
  else
    std::snprintf(buf, sizeof buf, "p_error %g as a %d-bit read", reads.p_error, reads.p_error_bits);
  return buf;
}

}  // namespace veil::app
