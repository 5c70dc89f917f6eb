#include "veil/app/stages/fp32_evaluation.hpp"

#include <chrono>
#include <cstdio>
#include <cstring>

#include "labelled_chunk.hpp"
#include "veil/common/error.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::app {
namespace {

void classify(nn::Fp32Executor& executor, std::vector<LabelledImage>& pending, const std::vector<std::string>& class_names,
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
                             nn::make_predictions(row, class_names, std::min<std::size_t>(5, classes)),
                             std::vector<float>(row.begin(), row.end())});
  }
  pending.clear();
}

}  // namespace

void evaluate_fp32(nn::Fp32Executor& executor, const ImageSource& source, const PrepareImage& prepare,
                   std::size_t batch_size, const std::vector<std::string>& class_names, ProgressBar* progress,
                   Fp32EvaluationResult& result) {
  if (batch_size == 0) throw InvalidArgument("evaluate_fp32: batch size 0, expected >= 1");
  const auto start = std::chrono::steady_clock::now();
  const Shape& image_shape = executor.graph().node(0).shape;
  const auto classes = static_cast<std::int64_t>(element_count(executor.graph().node(executor.graph().output).shape));
  ThreadPool decoders(executor.threads());  // idle while the executor runs, and vice versa
  std::vector<LabelledImage> ready;
  Tensor batch, logits;
  // Progress counts classified and skipped items, so the rate is the classification rate.
  auto report = [&] {
    if (progress) progress->update(result.images.size() + result.skipped.size());
  };
  report();
  for (bool more = true; more;) {
    read_labelled_chunk(source, prepare, decoders, image_shape, classes, batch_size, ready, result.skipped, more);
    classify(executor, ready, class_names, batch, logits, result);
    report();
  }
  if (progress) progress->finish();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void write_fp32_report(const Fp32EvaluationResult& result, const WeightsDescription& weights,
                       const std::vector<std::string>& class_names, std::size_t threads, std::size_t batch_size,
                       std::size_t per_image_limit, std::ostream& out) {
  const std::string caveat =
      weights.official_verified ? "" : " (NOT ImageNet accuracy: synthetic/test checkpoint)";
  out << "Weights: " << weights.path << " (sha256 " << weights.sha256 << ")\n";
  if (weights.official_verified) {
    out << "  the official torchvision ResNet-18 IMAGENET1K_V1 checkpoint (sha256 verified)\n";
  } else {
    out << "WARNING: these weights are not the verified official torchvision checkpoint; the accuracy below is "
           "NOT ImageNet accuracy.\n";
  }
  out << "Accuracy of the ResNet18 model on the images: " << nn::format_percent(result.accuracy.top1()) << caveat << "\n";
  out << "Top-5 Accuracy of the ResNet18 model on the images: " << nn::format_percent(result.accuracy.top5()) << caveat << "\n";
  char buf[160];
  const double rate = result.seconds > 0.0 ? static_cast<double>(result.images.size()) / result.seconds : 0.0;
  std::snprintf(buf, sizeof buf, "Evaluated %zu image(s) in %.2f s (%.1f images/s, %zu threads, batch %zu)\n",
                result.images.size(), result.seconds, rate, threads, batch_size);
  out << buf;
  if (!result.skipped.empty()) {
    out << "Skipped " << result.skipped.size() << " unusable item(s):\n";
    for (const auto& s : result.skipped) out << "  " << s << "\n";
  }
  if (result.images.size() > per_image_limit) return;
  for (std::size_t i = 0; i < result.images.size(); ++i) {
    const ImageResult& r = result.images[i];
    out << "\nImage " << i + 1 << " (" << r.key << ", label " << r.label;
    if (static_cast<std::size_t>(r.label) < class_names.size()) out << " " << class_names[static_cast<std::size_t>(r.label)];
    out << "):\n  fp32 top 5 labels: ";
    for (std::size_t k = 0; k < r.top5.size(); ++k) out << (k ? ", " : "") << r.top5[k].index;
    out << "\n";
    for (const nn::Prediction& p : r.top5) {
      std::snprintf(buf, sizeof buf, "    %4lld %.4f %s\n", static_cast<long long>(p.index), p.probability,
                    p.name.c_str());
      out << buf;
    }
  }
}

}  // namespace veil::app
