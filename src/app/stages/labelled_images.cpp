#include "labelled_chunk.hpp"
#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/app/stages/fp32_evaluation.hpp"

namespace veil::app {

void load_labelled_images(const ImageSource& source, const PrepareImage& prepare, const Shape& image_shape,
                          std::int64_t classes, std::size_t max_items, std::size_t threads, ProgressBar* progress,
                          std::vector<LabelledImage>& images, std::vector<std::string>& skipped) {
  if (threads == 0) throw InvalidArgument("load_labelled_images: 0 threads, expected >= 1");
  ThreadPool pool(threads);
  std::size_t read = 0;
  const std::size_t kept_before = images.size();
  // Chunks of a few items per thread keep every thread busy decoding without holding the
  // encoded bytes of the whole set at once.
  const std::size_t chunk_size = 4 * threads;
  for (bool more = true; more;) {
    const std::size_t wanted = max_items ? std::min(chunk_size, max_items - (images.size() - kept_before)) : chunk_size;
    if (wanted == 0) break;
    read += read_labelled_chunk(source, prepare, pool, image_shape, classes, wanted, images, skipped, more);
    if (progress) progress->update(read);
  }
  if (progress) progress->finish();
}

}  // namespace veil::app
