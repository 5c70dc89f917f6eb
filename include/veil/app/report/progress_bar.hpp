#pragma once
// A one-line progress bar (done/total, images/s, ETA) for long evaluations, redrawn in
// place with '\r' on a terminal; on a pipe or file it prints a plain line every few seconds.
#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace veil::app {

/// "4:05" (m:ss) below an hour, "1:02:03" (h:mm:ss) from an hour on or when `hours`.
std::string format_clock_time(double seconds, bool hours = false);

class ProgressBar {
 public:
  /// `interactive`: redraw in place (for a terminal) rather than append lines.
  /// total == 0 means unknown: no bar and no ETA.
  ProgressBar(std::ostream& out, std::size_t total, std::string unit, bool interactive);

  /// Reports that `done` items are finished; draws when enough time has passed.
  void update(std::size_t done);
  /// Draws the final state and ends the line.
  void finish();

  /// "[#####.....] 50/100 images  12.5 images/s  ETA 0:04" for the given state
  /// ("50 images  12.5 images/s  elapsed 0:04" when total == 0).
  static std::string format(std::size_t done, std::size_t total, const std::string& unit, double seconds);

 private:
  void draw(std::size_t done);

  std::ostream& out_;
  std::size_t total_;
  std::string unit_;
  bool interactive_;
  std::size_t done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

/// The evaluations' progress callback (nn::ProgressCallback) updating `bar`; empty when bar is null.
std::function<void(std::size_t done)> progress_callback(ProgressBar* bar);

}  // namespace veil::app
