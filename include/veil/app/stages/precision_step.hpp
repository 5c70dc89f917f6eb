#pragma once
// resnet18_fhe's per-site precision (--per-site-precision): compiler::search_site_precision on the
// calibration images before the per-site stage, and its report lines. Opt-in: on both synthetic
// checkpoints the search saves at most ~1% of the cost under the no-loss budget
// (docs/quantization.md "Per-site precision"), so the default keeps uniform bits (issue 12).
#include <optional>
#include <ostream>

#include "veil/app/flags/resnet18_fhe_options.hpp"
#include "veil/app/stages/quantized_stages.hpp"
#include "veil/common/tensor.hpp"
#include "veil/compiler/precision_search.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/graph.hpp"

namespace veil::app {

/// Whether resnet18_fhe searches per-site precision with these options.
bool searches_precision(const app::Resnet18CliOptions& options);

/// The search for the improved mode of `settings` on `calibration`, costs compiled with the
/// CLI's compile options made multi-parameter (where narrower sites pay); fp32 gives the
/// calibration images' reference logits. Progress lines go to `progress` when not null.
compiler::PrecisionSearchResult search_precision(const app::Resnet18CliOptions& options, const nn::Graph& folded_graph,
                                                 const Tensor& calibration, nn::Fp32Executor& fp32,
                                                 const app::QuantizedStagesSettings& settings, std::ostream* progress);

/// The sites lowered, the cost before and after, the calibration agreement and the search time.
void write_precision_search(const compiler::PrecisionSearchResult& result, std::ostream& out);

}  // namespace veil::app
