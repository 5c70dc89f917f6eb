#include "veil/nn/fp32_evaluation.hpp"

#include <chrono>
#include <cstring>

#include "labelled_chunk.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::nn {
namespace {

void classify(Fp32Executor& executor, std::vector<LabelledImage>& pending, const std::vector<std::string>& class_names,
              Tensor& batch, Tensor& logits, Fp32EvaluationResult& result) {
  if (pending.empty()) return;
  const Shape& image_shape = executor.graph().node(0).shape;
  const auto per_image = static_cast<std::size_t>(element_count(image_shape));
  Shape shape{static_cast<std::int64_t>(pending.size())};
  shape.insert(shape.end(), image_shape.begin(), image_shape.end());
  batch.data.resize(per_image * pending.size());
  batch.shape = shape;
  for (std::size_t i = 0; i < pending.size(); ++i)
    std::memcpy(batch.data.data() + i * per_image, pending[i].image.data.data(), per_image * sizeof(float));
  executor.run(batch, logits);
  const std::size_t classes = logits.data.size() / pending.size();
  for (std::size_t i = 0; i < pending.size(); ++i) {
    const std::span<const float> row(logits.data.data() + i * classes, classes);
    result.accuracy.add(row, pending[i].label);
    result.images.push_back({pending[i].key, pending[i].label,
                             make_predictions(row, class_names, std::min<std::size_t>(5, classes)),
                             std::vector<float>(row.begin(), row.end())});
  }
  pending.clear();
}

}  // namespace

void evaluate_fp32(Fp32Executor& executor, const ImageSource& source, const PrepareImage& prepare,
                   std::size_t batch_size, const std::vector<std::string>& class_names,
                   const ProgressCallback& progress, Fp32EvaluationResult& result) {
  if (batch_size == 0) throw InvalidArgument("evaluate_fp32: batch size 0, expected >= 1");
  const auto start = std::chrono::steady_clock::now();
  const Shape& image_shape = executor.graph().node(0).shape;
  const auto classes = static_cast<std::int64_t>(element_count(executor.graph().node(executor.graph().output).shape));
  ThreadPool decoders(executor.threads());  // idle while the executor runs, and vice versa
  std::vector<LabelledImage> ready;
  Tensor batch, logits;
  // Progress counts classified and skipped items, so the rate is the classification rate.
  auto report = [&] {
    if (progress) progress(result.images.size() + result.skipped.size());
  };
  report();
  for (bool more = true; more;) {
    read_labelled_chunk(source, prepare, decoders, image_shape, classes, batch_size, ready, result.skipped, more);
    classify(executor, ready, class_names, batch, logits, result);
    report();
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace veil::nn
