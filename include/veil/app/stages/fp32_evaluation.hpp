#pragma once
// The fp32 stage of the resnet18_fhe flow: classify labelled images in batches, count
// top-1/top-5 accuracy, keep each image's top-5, and write the seed script's report.
// Images come from a callback so that nn stays free of decoding and file formats.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/nn/fp32_executor.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/app/report/progress_bar.hpp"

namespace veil::app {

struct LabelledImage {
  std::string key;                     // e.g. the file stem, for the report
  std::int64_t label = -1;             // class index; must be valid for the item to count
  std::vector<std::uint8_t> payload;   // opaque bytes (e.g. a JPEG) that PrepareImage turns into image
  Tensor image;                        // one preprocessed image, the executor's input shape
  std::string error;                   // non-empty: the item is unusable (skipped and reported)
};

/// Fills the next item and returns true, or returns false when the source is exhausted.
/// Called from one thread.
using ImageSource = std::function<bool(LabelledImage&)>;

/// Turns an item's payload into its image (or sets its error). Called concurrently on
/// distinct items, so decoding a batch uses every thread.
using PrepareImage = std::function<void(LabelledImage&)>;

struct ImageResult {
  std::string key;
  std::int64_t label = -1;
  std::vector<nn::Prediction> top5;
  std::vector<float> logits;  // filled by evaluate_fp32: the reference of the later stages' logit agreement
};

struct Fp32EvaluationResult {
  nn::AccuracyCounter accuracy;
  std::vector<ImageResult> images;   // in source order
  std::vector<std::string> skipped;  // "key: why"
  double seconds = 0.0;              // wall time of the whole evaluation
};

/// Runs every item of `source` through `executor` in batches of `batch_size`; `prepare`
/// (may be empty: the source then fills images itself) runs on the batch's items in
/// parallel on executor.threads() threads. class_names (may be empty) label the
/// predictions; `progress` (may be null) is told how many items are done. Items with an
/// error, a wrong image shape or a label outside the logits are skipped and listed.
/// Throws what the source or prepare throw.
void evaluate_fp32(nn::Fp32Executor& executor, const ImageSource& source, const PrepareImage& prepare,
                   std::size_t batch_size, const std::vector<std::string>& class_names, ProgressBar* progress,
                   Fp32EvaluationResult& result);

/// Reads up to `max_items` items (0: until the source is exhausted) and prepares them in
/// parallel on `threads` threads, keeping the usable ones (image of `image_shape`, label in
/// [0, classes)) in `images` and listing the others in `skipped` ("key: why"). Unusable items
/// do not count towards max_items. `progress` (may be null) counts items read. Used where the
/// images are needed more than once (calibration, and the evaluation set of the quantized
/// stages). Throws what the source or prepare throw.
void load_labelled_images(const ImageSource& source, const PrepareImage& prepare, const Shape& image_shape,
                          std::int64_t classes, std::size_t max_items, std::size_t threads, ProgressBar* progress,
                          std::vector<LabelledImage>& images, std::vector<std::string>& skipped);

struct WeightsDescription {
  std::string path;
  std::string sha256;
  bool official_verified = false;  // sha256 equals the published IMAGENET1K_V1 digest
};

/// Writes the report: weights line, accuracy lines as the seed script prints them (each
/// marked NOT ImageNet accuracy unless the weights are the verified official file), the
/// time taken, skipped items, and each image's top-5 when at most `per_image_limit` images
/// (true labels named from class_names when it has them).
void write_fp32_report(const Fp32EvaluationResult& result, const WeightsDescription& weights,
                       const std::vector<std::string>& class_names, std::size_t threads, std::size_t batch_size,
                       std::size_t per_image_limit, std::ostream& out);

}  // namespace veil::app
