#include "veil/app/report/fp32_report.hpp"

#include <cstdio>

#include "veil/common/format_numbers.hpp"

namespace veil::app {

void write_fp32_report(const nn::Fp32EvaluationResult& result, const WeightsDescription& weights,
                       const std::vector<std::string>& class_names, std::size_t threads, std::size_t batch_size,
                       std::size_t per_image_limit, std::ostream& out) {
  const std::string caveat = weights.official_verified ? "" : " (NOT ImageNet accuracy: synthetic/test checkpoint)";
  out << "Weights: " << weights.path << " (sha256 " << weights.sha256 << ")\n";
  if (weights.official_verified) {
    out << "  the official torchvision ResNet-18 IMAGENET1K_V1 checkpoint (sha256 verified)\n";
  } else {
    out << "WARNING: these weights are not the verified official torchvision checkpoint; the accuracy below is "
           "NOT ImageNet accuracy.\n";
  }
  out << "Accuracy of the ResNet18 model on the images: " << format_percent(result.accuracy.top1()) << caveat << "\n";
  out << "Top-5 Accuracy of the ResNet18 model on the images: " << format_percent(result.accuracy.top5()) << caveat
      << "\n";
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
    const nn::ImageResult& r = result.images[i];
    out << "\nImage " << i + 1 << " (" << r.key << ", label " << r.label;
    if (static_cast<std::size_t>(r.label) < class_names.size())
      out << " " << class_names[static_cast<std::size_t>(r.label)];
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
