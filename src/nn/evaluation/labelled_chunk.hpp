#pragma once
// Reading a chunk of labelled images: shared by the fp32 evaluation (which classifies each
// chunk as it comes) and load_labelled_images (which keeps them for the quantized stages).
#include <cstddef>
#include <string>
#include <vector>

#include "veil/common/thread_pool.hpp"
#include "veil/nn/labelled_images.hpp"

namespace veil::nn {

/// Takes up to `wanted` items from `source`, prepares them on `pool`, drops their encoded bytes and
/// checks shape and label: good items go to `ready`, bad ones to `skipped` as "key: reason".
/// Returns the number of items taken; `more` turns false once the source is exhausted.
std::size_t read_labelled_chunk(const ImageSource& source, const PrepareImage& prepare, ThreadPool& pool,
                                const Shape& image_shape, std::int64_t classes, std::size_t wanted,
                                std::vector<LabelledImage>& ready, std::vector<std::string>& skipped, bool& more);

}  // namespace veil::nn
