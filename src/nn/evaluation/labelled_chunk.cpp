#include "labelled_chunk.hpp"

namespace veil::nn {

std::size_t read_labelled_chunk(const ImageSource& source, const PrepareImage& prepare, ThreadPool& pool,
                                const Shape& image_shape, std::int64_t classes, std::size_t wanted,
                                std::vector<LabelledImage>& ready, std::vector<std::string>& skipped, bool& more) {
  std::vector<LabelledImage> chunk;
  for (LabelledImage item; chunk.size() < wanted && (more = source(item)); item = LabelledImage{})
    chunk.push_back(std::move(item));
  if (prepare)
    pool.parallel_for(chunk.size(), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t i = begin; i < end; ++i)
        if (chunk[i].error.empty()) prepare(chunk[i]);
    });
  for (LabelledImage& item : chunk) {
    item.encoded = {};
    if (item.error.empty() && item.image.shape != image_shape)
      item.error = "image of shape " + to_string(item.image.shape) + ", expected " + to_string(image_shape);
    if (item.error.empty() && (item.label < 0 || item.label >= classes))
      item.error = "label " + std::to_string(item.label) + ", expected in [0, " + std::to_string(classes) + ")";
    if (item.error.empty()) {
      ready.push_back(std::move(item));
    } else {
      skipped.push_back(item.key + ": " + item.error);
    }
  }
  return chunk.size();
}

}  // namespace veil::nn
