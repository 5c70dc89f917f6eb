#include "veil/nn/quantized_evaluation.hpp"

#include <chrono>
#include <cstring>

#include "veil/common/error.hpp"

namespace veil::nn {

void evaluate_quantized(quant::IntegerExecutor& executor, std::span<const LabelledImage> images,
                        std::span<const ImageResult> fp32, const quant::SimulationSettings* simulation,
                        std::size_t batch_size, const std::vector<std::string>& class_names,
                        const ProgressCallback& progress, QuantizedStageResult& result) {
  if (batch_size == 0) throw InvalidArgument("evaluate_quantized: batch size 0, expected >= 1");
  if (fp32.size() != images.size())
    throw InvalidArgument("evaluate_quantized: " + std::to_string(fp32.size()) + " fp32 results for " +
                          std::to_string(images.size()) + " images, expected one per image");
  const auto start = std::chrono::steady_clock::now();
  result = QuantizedStageResult{};
  if (progress) progress(0);
  Tensor batch, logits;
  for (std::size_t first = 0; first < images.size(); first += batch_size) {
    const std::size_t count = std::min(batch_size, images.size() - first);
    const Shape& image_shape = images[first].image.shape;
    const std::size_t per_image = images[first].image.data.size();
    batch.shape = {static_cast<std::int64_t>(count)};
    batch.shape.insert(batch.shape.end(), image_shape.begin(), image_shape.end());
    batch.data.resize(per_image * count);
    for (std::size_t i = 0; i < count; ++i) {
      const Tensor& image = images[first + i].image;
      if (image.shape != image_shape)
        throw InvalidArgument("evaluate_quantized: image '" + images[first + i].key + "' of shape " +
                              to_string(image.shape) + ", expected " + to_string(image_shape));
      std::memcpy(batch.data.data() + i * per_image, image.data.data(), per_image * sizeof(float));
    }
    if (simulation) {
      quant::SimulationStats stats;
      executor.simulate(batch, *simulation, first, logits, &stats);
      result.simulation.pbs += stats.pbs;
      result.simulation.misreads += stats.misreads;
      result.simulation.expected_misreads += stats.expected_misreads;
    } else {
      executor.run(batch, logits);
    }
    const std::size_t classes = logits.data.size() / count;
    for (std::size_t i = 0; i < count; ++i) {
      const LabelledImage& item = images[first + i];
      const std::span<const float> row(logits.data.data() + i * classes, classes);
      result.accuracy.add(row, item.label);
      ImageResult r{item.key, item.label, make_predictions(row, class_names, std::min<std::size_t>(5, classes)), {}};
      const auto& reference = fp32[first + i].top5;
      if (!reference.empty() && r.top5.front().index == reference.front().index) ++result.fp32_agreement_hits;
      if (!fp32[first + i].logits.empty()) result.fp32_logits.add(row, fp32[first + i].logits);
      result.images.push_back(std::move(r));
    }
    if (progress) progress(first + count);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace veil::nn
