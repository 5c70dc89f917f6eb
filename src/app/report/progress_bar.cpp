#include "veil/app/report/progress_bar.hpp"

#include <cmath>
#include <cstdio>

namespace veil::app {
namespace {

constexpr int kWidth = 30;
constexpr double kInteractivePeriod = 0.2;  // seconds between redraws on a terminal
constexpr double kLogPeriod = 5.0;          // seconds between lines in a log

}  // namespace

std::string format_clock_time(double seconds, bool hours) {
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600 || hours) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  }
  return buf;
}

ProgressBar::ProgressBar(std::ostream& out, std::size_t total, std::string unit, bool interactive)
    : out_(out),
      total_(total),
      unit_(std::move(unit)),
      interactive_(interactive),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

std::string ProgressBar::format(std::size_t done, std::size_t total, const std::string& unit, double seconds) {
  const double rate = seconds > 0.0 ? static_cast<double>(done) / seconds : 0.0;
  char buf[128];
  if (total == 0) {  // unknown total: no bar, no ETA
    std::snprintf(buf, sizeof buf, "%zu %s  %.1f %s/s  elapsed ", done, unit.c_str(), rate, unit.c_str());
    return buf + format_clock_time(seconds);
  }
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(1, '[');
  bar.append(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  bar += "] ";
  std::snprintf(buf, sizeof buf, "%zu/%zu %s  %.1f %s/s  ", done, total, unit.c_str(), rate, unit.c_str());
  bar += buf;
  if (done >= total) return bar + "elapsed " + format_clock_time(seconds);
  if (rate <= 0.0) return bar + "ETA --:--";
  return bar + "ETA " + format_clock_time(static_cast<double>(total - done) / rate);
}

void ProgressBar::update(std::size_t done) {
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since >= (interactive_ ? kInteractivePeriod : kLogPeriod) || !drawn_) {
    last_draw_ = now;
    draw(done);
  }
}

void ProgressBar::finish() {
  draw(done_);
  if (interactive_) out_ << '\n';
  out_.flush();
}

void ProgressBar::draw(std::size_t done) {
  drawn_ = true;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const std::string line = format(done, total_, unit_, seconds);
  if (interactive_) {
    out_ << '\r' << line << "\033[K";  // clear what a longer previous line left
  } else {
    out_ << line << '\n';
  }
  out_.flush();
}

std::function<void(std::size_t done)> progress_callback(ProgressBar* bar) {
  if (!bar) return {};
  return [bar](std::size_t done) { bar->update(done); };
}

}  // namespace veil::app
