#include "veil/nn/labelled_images.hpp"

#include <cstring>

#include "labelled_chunk.hpp"
#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"

namespace veil::nn {

void load_labelled_images(const ImageSource& source, const PrepareImage& prepare, const Shape& image_shape,
                          std::int64_t classes, std::size_t max_items, std::size_t threads,
                          const ProgressCallback& progress, std::vector<LabelledImage>& images,
                          std::vector<std::string>& skipped) {
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
    if (progress) progress(read);
  }
}

void stack_images(std::span<const LabelledImage> images, Tensor& batch) {
  if (images.empty()) throw InvalidArgument("stack_images: no images, expected at least 1");
  const Shape& shape = images.front().image.shape;
  const std::size_t per_image = images.front().image.data.size();
  batch.shape = {static_cast<std::int64_t>(images.size())};
  batch.shape.insert(batch.shape.end(), shape.begin(), shape.end());
  batch.data.resize(per_image * images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    if (images[i].image.shape != shape)
      throw InvalidArgument("stack_images: image '" + images[i].key + "' of shape " + to_string(images[i].image.shape) +
                            ", expected " + to_string(shape));
    std::memcpy(batch.data.data() + i * per_image, images[i].image.data.data(), per_image * sizeof(float));
  }
}

}  // namespace veil::nn
