#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"

namespace veil::io {

bool preprocess_sample(Sample& sample, const PreprocessConfig& config, Tensor& out) {
  if (!sample.ok()) return false;
  try {
    Image image;
    decode_image(sample.encoded, sample.source + " [" + sample.key + "]", image);
    preprocess_imagenet(image, config, out);
    return true;
  } catch (const Error& e) {  // skip-and-report: the run goes on without this item
    sample.error = e.what();
    return false;
  }
}

}  // namespace veil::io
