#include "veil/common/error.hpp"
#include "veil/io/dataset.hpp"
#include "veil/io/image.hpp"

namespace veil::io {

bool prepare_image(LabelledImage& item, const PreprocessConfig& config) {
  if (!item.ok()) return false;
  try {
    Image image;
    decode_image(item.encoded, item.source + " [" + item.key + "]", image);
    preprocess_imagenet(image, config, item.image);
    return true;
  } catch (const Error& e) {  // skip-and-report: the run goes on without this item
    item.error = e.what();
    return false;
  }
}

}  // namespace veil::io
