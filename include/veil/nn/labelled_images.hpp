#pragma once
// Labelled images (veil/common/labelled_image.hpp) as the evaluations take them: items come from
// a callback (a dataset, or images already in memory) and are prepared (decoded) by another, so
// that nn stays free of decoding and file formats; a chunk of items is prepared on every thread
// at once.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "veil/common/labelled_image.hpp"
#include "veil/common/tensor.hpp"

namespace veil::nn {

/// Fills the next item and returns true, or returns false when the source is exhausted.
/// Called from one thread.
using ImageSource = std::function<bool(LabelledImage&)>;

/// Turns an item's encoded bytes into its image (or sets its error), e.g. io::prepare_image. Called concurrently on
/// distinct items, so decoding a batch uses every thread.
using PrepareImage = std::function<void(LabelledImage&)>;

/// Told how many items are done so far (a progress bar's update); may be empty.
using ProgressCallback = std::function<void(std::size_t done)>;

/// Reads up to `max_items` items (0: until the source is exhausted) and prepares them in
/// parallel on `threads` threads, keeping the usable ones (image of `image_shape`, label in
/// [0, classes)) in `images` and listing the others in `skipped` ("key: why"). Unusable items
/// do not count towards max_items. `progress` is told how many items were read. Used where the
/// images are needed more than once (calibration, and the evaluation set of the quantized
/// stages). Throws what the source or prepare throw.
void load_labelled_images(const ImageSource& source, const PrepareImage& prepare, const Shape& image_shape,
                          std::int64_t classes, std::size_t max_items, std::size_t threads,
                          const ProgressCallback& progress, std::vector<LabelledImage>& images,
                          std::vector<std::string>& skipped);

/// Stacks images' tensors into one batch [N, shape...] (all shapes equal; InvalidArgument
/// otherwise or when empty).
void stack_images(std::span<const LabelledImage> images, Tensor& batch);

}  // namespace veil::nn
