#include "veil/app/report/quantized_report.hpp"

#include <cstdio>

#include "veil/common/format_numbers.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::app {
namespace {

std::string top5_list(const nn::ImageResult& r) {
  std::string out;
  for (std::size_t k = 0; k < r.top5.size(); ++k) out += (k ? ", " : "") + std::to_string(r.top5[k].index);
  return out;
}

std::string pbs_line(const nn::quant::PbsAccount& pbs) {
  std::string out = format_count(pbs.total) + " (";
  bool first = true;
  for (const auto& [bits, count] : pbs.by_bits) {
    out += (first ? "" : ", ") + std::to_string(bits) + " bits: " + format_count(count);
    first = false;
  }
  return out + ")";
}

void write_stage(const char* prefix, const nn::QuantizedStageResult& stage, const std::string& caveat,
                 std::ostream& out) {
  out << prefix << " Accuracy of the FHEResNet18 on the images: " << format_percent(stage.accuracy.top1()) << caveat
      << "\n";
  out << prefix << " Top-5 Accuracy of the FHEResNet18 on the images: " << format_percent(stage.accuracy.top5())
      << caveat << "\n";
  char buf[160];
  const double rate = stage.seconds > 0.0 ? static_cast<double>(stage.images.size()) / stage.seconds : 0.0;
  std::snprintf(buf, sizeof buf, "  top-1 agreement with fp32: %s (%zu/%zu images); %.1f s, %.2f images/s\n",
                format_percent(stage.fp32_agreement()).c_str(), stage.fp32_agreement_hits, stage.images.size(),
                stage.seconds, rate);
  out << buf;
  if (stage.fp32_logits.images() > 0) {
    std::snprintf(buf, sizeof buf,
                  "  logits against fp32: cosine %.4f, relative L2 error %.4f (means over %zu images)\n",
                  stage.fp32_logits.mean_cosine(), stage.fp32_logits.mean_relative_l2(), stage.fp32_logits.images());
    out << buf;
  }
}

std::string logit_cosine(const nn::QuantizedStageResult& stage) {
  if (stage.fp32_logits.images() == 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", stage.fp32_logits.mean_cosine());
  return text;
}

std::size_t top1_matches(const nn::QuantizedStageResult& a, const nn::QuantizedStageResult& b) {
  std::size_t hits = 0;
  for (std::size_t i = 0; i < a.images.size() && i < b.images.size(); ++i)
    hits += a.images[i].top5.front().index == b.images[i].top5.front().index;
  return hits;
}

// "p_error 0.05", or the compiled program's: "compiled p_error per PBS (target p_error 0.1 as a
// 7-bit read), at most 0.82 at each lookup's own bits".
std::string simulated_rate(const QuantizedModeReport& mode) {
  if (!mode.compiled_p_errors) return describe_p_error(mode.reads);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", mode.p_error);
  return "compiled p_error per PBS (target " + describe_p_error(mode.reads) + "), at most " + buf +
         (mode.reads.p_error_bits ? " at each lookup's own bits" : "");
}

}  // namespace

std::string describe_config(const nn::quant::QuantizationConfig& c) {
  std::string text = std::to_string(c.n_bits.model_inputs) + "/" + std::to_string(c.n_bits.op_inputs) + "/" +
                     std::to_string(c.n_bits.op_weights) + "/" + std::to_string(c.n_bits.model_outputs) +
                     " bits (inputs/op inputs/op weights/outputs), rounding ";
  text += c.rounding_bits
              ? std::to_string(*c.rounding_bits) + " bits (" +
                    (c.rounding_method == nn::quant::RoundingMethod::Approximate ? "approximate" : "exact") + ")"
              : std::string("none");
  if (c.mode == nn::quant::QuantizationMode::Improved && c.bias_correction) text += ", bias correction";
  if (c.rounding_bits_by_node.empty()) return text;
  text += ", per site:";
  for (const auto& [site, bits] : c.rounding_bits_by_node) text += " " + site + " " + std::to_string(bits);
  return text;
}

void write_quantized_report(std::span<const QuantizedModeReport> modes, const nn::Fp32EvaluationResult& fp32,
                            bool official_weights, std::size_t calibration_images, std::size_t per_image_limit,
                            std::ostream& out) {
  const std::string caveat = official_weights ? "" : " (NOT ImageNet accuracy: synthetic/test checkpoint)";
  out << "\nQuantized stages: calibrated on the first " << calibration_images
      << " image(s) of the dataset, evaluated on the " << fp32.images.size() << " after them\n";
  char buf[200];
  for (const QuantizedModeReport& mode : modes) {
    std::snprintf(buf, sizeof buf, "\n== %s mode: %s; quantized in %.1f s\n", mode.name.c_str(),
                  describe_config(mode.config).c_str(), mode.quantize_seconds);
    out << buf;
    write_stage("Quantized Model", mode.clear, caveat, out);
    if (mode.simulated) {
      const nn::QuantizedStageResult& sim = *mode.simulated;
      write_stage("FHE simulation", sim, caveat, out);
      const double agreement = sim.images.empty() ? 0.0
                                                  : static_cast<double>(top1_matches(sim, mode.clear)) /
                                                        static_cast<double>(sim.images.size());
      std::snprintf(buf, sizeof buf, "(model expects %.1f)\n", sim.simulation.expected_misreads);
      out << "  top-1 agreement with the clear quantized model: " << format_percent(agreement) << "; "
          << simulated_rate(mode) << ": " << format_count(sim.simulation.misreads) << " of "
          << format_count(sim.simulation.pbs) << " lookups misread " << buf;
    }
    out << "  PBS per image: " << pbs_line(mode.pbs) << "\n";
  }

  if (modes.size() > 1) {
    out << "\nSide by side (" << fp32.images.size() << " images; fp32 top-1 " << format_percent(fp32.accuracy.top1())
        << ")\n";
    std::snprintf(buf, sizeof buf, "  %-34s", "");
    out << buf;
    for (const auto& mode : modes) {
      std::snprintf(buf, sizeof buf, "%14s", mode.name.c_str());
      out << buf;
    }
    out << "\n";
    auto row = [&](const char* label, auto value_of) {
      std::snprintf(buf, sizeof buf, "  %-34s", label);
      out << buf;
      for (const auto& mode : modes) {
        std::snprintf(buf, sizeof buf, "%14s", value_of(mode).c_str());
        out << buf;
      }
      out << "\n";
    };
    row("quantized top-1 / top-5", [](const QuantizedModeReport& m) {
      return format_percent(m.clear.accuracy.top1()) + "/" + format_percent(m.clear.accuracy.top5());
    });
    row("quantized top-1 agreement with fp32",
        [](const QuantizedModeReport& m) { return format_percent(m.clear.fp32_agreement()); });
    row("simulated top-1 agreement with fp32", [](const QuantizedModeReport& m) {
      return m.simulated ? format_percent(m.simulated->fp32_agreement()) : std::string("-");
    });
    row("quantized logit cosine with fp32", [](const QuantizedModeReport& m) { return logit_cosine(m.clear); });
    row("simulated logit cosine with fp32",
        [](const QuantizedModeReport& m) { return m.simulated ? logit_cosine(*m.simulated) : std::string("-"); });
    row("PBS per image", [](const QuantizedModeReport& m) { return format_count(m.pbs.total); });
    row("widest lookup (bits)", [](const QuantizedModeReport& m) {
      return m.pbs.by_bits.empty() ? std::string("-") : std::to_string(m.pbs.by_bits.rbegin()->first);
    });
  }

  if (fp32.images.size() > per_image_limit) return;
  for (std::size_t i = 0; i < fp32.images.size(); ++i) {
    out << "\nImage " << i + 1 << " (" << fp32.images[i].key << ", label " << fp32.images[i].label << "):\n";
    out << "  fp32 top 5 labels: " << top5_list(fp32.images[i]) << "\n";
    for (const QuantizedModeReport& mode : modes) {
      if (i < mode.clear.images.size())
        out << "  " << mode.name << " quantized top 5 labels: " << top5_list(mode.clear.images[i]) << "\n";
      if (mode.simulated && i < mode.simulated->images.size())
        out << "  " << mode.name << " simulation top 5 labels: " << top5_list(mode.simulated->images[i]) << "\n";
    }
  }
}

}  // namespace veil::app
