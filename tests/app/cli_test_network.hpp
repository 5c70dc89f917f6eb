#pragma once
// The network of the CLI stage tests: the small seeded ResNet on 4 x 4 images, quantized
// without lookup rounding and compiled on an insecure toy set whose every PBS errs with
// probability <= 2^-40, so that real FHE, the simulation and the noise-free run agree exactly.
#include "veil/app/flags/mode_reads.hpp"
#include "veil/common/tensor.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/quant/quantization_config.hpp"

namespace veil::app::testing {

inline constexpr std::int64_t kImageSize = 4;  // the smallest the network takes: fast FHE runs

nn::Graph test_graph();                           // BN folded
Tensor test_calibration();                        // [8, 3, 4, 4]
Tensor test_image(std::int64_t index);            // [3, 4, 4], not a calibration image
nn::quant::QuantizationConfig test_config();      // reference mode, small widths, no rounding
compiler::CompileOptions test_compile_options();  // the toy set, toy sets allowed
app::ModeReads test_reads();                      // both modes as test_config and test_compile_options
const compiler::FheProgram& test_program();       // compiled once per process

}  // namespace veil::app::testing
