#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/fp32_evaluation.hpp"

namespace veil::nn {

void load_labelled_images(const ImageSource& source, const PrepareImage& prepare, const Shape& image_shape,
                          std::int64_t classes, std::size_t max_items, std::size_t threads, ProgressBar* progress,
                          std::vector<LabelledImage>& images, std::vector<std::string>& skipped) {
  if (threads == 0) throw InvalidArgument("load_labelled_images: 0 threads, expected >= 1");
  ThreadPool pool(threads);
  std::size_t read = 0;
  const std::size_t kept_before = images.size();
  std::vector<LabelledImage> chunk;
  // Chunks of a few items per thread keep every thread busy decoding without holding the
  // encoded bytes of the whole set at once.
  const std::size_t chunk_size = 4 * threads;
  for (bool more = true; more;) {
    const std::size_t wanted = max_items ? std::min(chunk_size, max_items - (images.size() - kept_before)) : chunk_size;
    if (wanted == 0) break;
    chunk.clear();
    for (LabelledImage item; chunk.size() < wanted && (more = source(item)); item = LabelledImage{})
      chunk.push_back(std::move(item));
    if (prepare)
      pool.parallel_for(chunk.size(), 1, [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t i = begin; i < end; ++i)
          if (chunk[i].error.empty()) prepare(chunk[i]);
      });
    for (LabelledImage& item : chunk) {
      item.payload = {};
      if (item.error.empty() && item.image.shape != image_shape)
        item.error = "image of shape " + to_string(item.image.shape) + ", expected " + to_string(image_shape);
      if (item.error.empty() && (item.label < 0 || item.label >= classes))
        item.error = "label " + std::to_string(item.label) + ", expected in [0, " + std::to_string(classes) + ")";
      if (item.error.empty()) {
        images.push_back(std::move(item));
      } else {
        skipped.push_back(item.key + ": " + item.error);
      }
    }
    read += chunk.size();
    if (progress) progress->update(read);
  }
  if (progress) progress->finish();
}

}  // namespace veil::nn
