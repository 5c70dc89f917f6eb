#pragma once
// The fp32 evaluation of labelled images: classify them in batches, count top-1/top-5
// accuracy and keep each image's top-5 and logits (the reference of the quantized stages).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/labelled_images.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {

struct ImageResult {
  std::string key;
  std::int64_t label = -1;
  std::vector<Prediction> top5;
  std::vector<float> logits;  // filled by evaluate_fp32: the reference of the later stages' logit agreement
};

struct Fp32EvaluationResult {
  AccuracyCounter accuracy;
  std::vector<ImageResult> images;   // in source order
  std::vector<std::string> skipped;  // "key: why"
  double seconds = 0.0;              // wall time of the whole evaluation
};

/// Runs every item of `source` through `executor` in batches of `batch_size`; `prepare`
/// (may be empty: the source then fills images itself) runs on the batch's items in
/// parallel on executor.threads() threads. class_names (may be empty) label the
/// predictions; `progress` is told how many items are done. Items with an error, a wrong image
/// shape or a label outside the logits are skipped and listed. Throws what the source or
/// prepare throw.
void evaluate_fp32(Fp32Executor& executor, const ImageSource& source, const PrepareImage& prepare,
                   std::size_t batch_size, const std::vector<std::string>& class_names,
                   const ProgressCallback& progress, Fp32EvaluationResult& result);

}  // namespace veil::nn
