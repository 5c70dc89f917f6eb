#include <cstdio>

#include "veil/nn/metrics.hpp"

namespace veil::nn {

std::string format_percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%", 100.0 * fraction);
  return buf;
}

}  // namespace veil::nn
