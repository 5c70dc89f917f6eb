#include "veil/app/report/fhe_report.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>

#include "veil/app/report/progress_bar.hpp"
#include "veil/common/format_numbers.hpp"
#include "veil/nn/metrics.hpp"

namespace veil::app {
namespace {

std::string label_list(const std::vector<std::int64_t>& labels) {
  std::string out;
  for (const std::int64_t label : labels) out += (out.empty() ? "" : ", ") + std::to_string(label);
  return out;
}

const char* yes_no(bool b) { return b ? "yes" : "no"; }

}  // namespace

std::string estimate_line(std::uint64_t pbs, double pbs_per_second) {
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.1f", pbs_per_second);
  const double seconds = pbs_per_second > 0 ? static_cast<double>(pbs) / pbs_per_second : 0.0;
  return "estimated FHE time per image on this machine: " + format_count(pbs) + " PBS / " + rate +
         " PBS/s = " + app::format_clock_time(seconds, true);
}

std::size_t FheImageResult::draws() const {
  std::size_t n = 0;
  for (const auto& [label, count] : draw_top1) n += count;
  return n;
}

std::size_t FheImageResult::draws_with_fhe_top1() const {
  for (const auto& [label, count] : draw_top1)
    if (label == fhe_top5.front()) return count;
  return 0;
}

void write_fhe_image(const FheImageResult& image, std::size_t number, std::ostream& out) {
  char buf[256];
  const double total = image.encrypt_seconds + image.server.seconds + image.decrypt_seconds;
  const double rate = image.server.seconds > 0 ? static_cast<double>(image.server.pbs) / image.server.seconds : 0.0;
  std::snprintf(buf, sizeof buf,
                "  FHE execution completed in %.4f seconds (encrypt %.2f s, server %.2f s at %.1f PBS/s, "
                "decrypt %.2f s)\n",
                total, image.encrypt_seconds, image.server.seconds, rate, image.decrypt_seconds);
  out << buf;
  out << "  FHE top 5 labels: " << label_list(image.fhe_top5) << "\n";
  out << "  Running simulation...\n  Simulation top 5 labels: " << label_list(image.simulation_top5) << "\n";
  out << "  Noise-free top 5 labels: " << label_list(image.clear_top5) << "\n";
  if (image.draws() > 0) {
    out << "  Simulated again " << image.draws() << " times, top-1:";
    std::size_t shown = 0;
    for (const auto& [label, count] : image.draw_top1) {
      if (shown++ == 5) break;
      out << (shown > 1 ? "," : "") << " " << label << " (" << count << ")";
    }
    out << "; the FHE run's top-1 " << image.fhe_top5.front() << " in " << image.draws_with_fhe_top1() << "/"
        << image.draws() << "\n";
  }
  out << "  Image " << number << ": FHE top-5 equals the simulation's: " << yes_no(image.top5_equal())
      << "; top-1: " << yes_no(image.top1_equal())
      << "; output integers off the noise-free run: " << image.outputs_off_clear << "\n";
  if (image.outputs_beyond_bound > 0) {
    out << "  WARNING: " << image.outputs_beyond_bound
        << " output integer(s) beyond the decoded bound (the calibration maximum x margin): a logit may have wrapped\n";
  }
}

void write_fhe_summary(const FheStageResult& result, std::ostream& out) {
  const std::size_t n = result.images.size();
  std::size_t top5 = 0, top1 = 0, seen = 0, drawn = 0, agreeing = 0;
  double seconds = 0, server_seconds = 0;
  std::uint64_t pbs = 0, peak_resident = 0;
  for (const FheImageResult& image : result.images) {
    top5 += image.top5_equal();
    top1 += image.top1_equal();
    seen += image.draws_with_fhe_top1() > 0;
    drawn += image.draws();
    agreeing += image.draws_with_fhe_top1();
    seconds += image.encrypt_seconds + image.server.seconds + image.decrypt_seconds;
    server_seconds += image.server.seconds;
    pbs += image.server.pbs;
    peak_resident = std::max(peak_resident, image.server.peak_resident_bytes);
  }
  char buf[256];
  out << "\nFHE summary (" << n << " image(s), parameter set " << result.statistics.parameter_set << "):\n";
  out << "  FHE top-5 equal to the simulation's: " << top5 << "/" << n << " image(s); top-1: " << top1 << "/" << n
      << "\n";
  if (drawn > 0) {
    std::snprintf(buf, sizeof buf,
                  "  FHE top-1 among the simulated draws' top-1s: %zu/%zu image(s) (in %.0f%% of all draws)\n", seen, n,
                  100.0 * static_cast<double>(agreeing) / static_cast<double>(drawn));
    out << buf;
  }
  std::snprintf(buf, sizeof buf, "  mean time per image: %.2f s (%s); server %.1f PBS/s (calibration %.1f PBS/s)\n",
                n ? seconds / static_cast<double>(n) : 0.0,
                app::format_clock_time(n ? seconds / static_cast<double>(n) : 0.0, true).c_str(),
                server_seconds > 0 ? static_cast<double>(pbs) / server_seconds : 0.0, result.pbs_per_second);
  out << buf;
  // The calibration times ~10^2 PBS per set and moves by up to ~10 % between runs; the crop's
  // server ran far longer, so its measured/calibrated ratio corrects the full image's estimate.
  if (result.full_image_pbs > 0 && server_seconds > 0 && result.pbs_per_second > 0) {
    const double ratio = static_cast<double>(pbs) / server_seconds / result.pbs_per_second;
    std::snprintf(buf, sizeof buf, " (the calibration's estimate x %.3f)\n", 1 / ratio);
    out << "  full image at this run's measured rate: "
        << estimate_line(result.full_image_pbs, result.full_image_pbs_per_second * ratio) << buf;
  }
  out << "  peak resident ciphertext memory (server): " << format_bytes(peak_resident)
      << "; process peak RSS: " << format_bytes(result.peak_rss_bytes) << "\n";
}

std::string fhe_layers_csv(const FheStageResult& result, const compiler::FheProgram& program) {
  std::string csv = "image,node,op,pbs,seconds,pbs_per_second\n";
  char buf[96];
  for (std::size_t i = 0; i < result.images.size(); ++i) {
    const std::vector<runtime::NodeRunStats>& nodes = result.images[i].server.nodes;
    for (std::size_t n = 0; n < nodes.size(); ++n) {
      const runtime::NodeRunStats& node = nodes[n];
      const double rate = node.seconds > 0 ? static_cast<double>(node.pbs) / node.seconds : 0.0;
      std::snprintf(buf, sizeof buf, ",%llu,%.6f,%.1f\n", static_cast<unsigned long long>(node.pbs), node.seconds,
                    rate);
      csv += result.images[i].key + "," + node.name + "," +
             nn::quant::qop_name(program.circuit.node(static_cast<nn::quant::QValueId>(n)).op) + buf;
    }
  }
  return csv;
}

std::uint64_t process_peak_rss_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

}  // namespace veil::app
