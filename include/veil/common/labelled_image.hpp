#pragma once
// One labelled image: what the datasets (veil::io) yield and the evaluations (veil::nn) take,
// from the file's bytes to the preprocessed tensor. A damaged item carries its error, so that a
// long run skips and reports it instead of stopping.
#include <cstdint>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"

namespace veil {

struct LabelledImage {
  std::string key;                    // file stem (folder) or webdataset key (shard): for reports
  std::int64_t label = -1;            // class index (0..999, torchvision order); must be valid to count
  std::vector<std::uint8_t> encoded;  // the image file's bytes (JPEG or PNG) until they are decoded
  std::string source;                 // the file or shard it came from, for messages
  Tensor image;                       // decoded and preprocessed: the executor's input shape
  std::string error;                  // non-empty: the item is unusable, and why
  bool ok() const { return error.empty(); }
};

}  // namespace veil
