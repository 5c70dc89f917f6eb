#include "veil/app/report/distributed_report.hpp"

#include <cstdio>

#include "veil/common/format_numbers.hpp"

namespace veil::app {

void report_ranks(const runtime::distributed::Session& session, std::ostream& out) {
  const auto stats = session.rank_stats();
  char line[200];
  for (std::size_t r = 0; r < stats.size(); ++r) {
    std::snprintf(line, sizeof line, "  rank %zu: %llu PBS, %llu key switches, busy %.1f s, %.1f PBS/s\n", r,
                  static_cast<unsigned long long>(stats[r].pbs), static_cast<unsigned long long>(stats[r].keyswitches),
                  stats[r].busy_seconds, stats[r].busy_seconds > 0 ? stats[r].pbs / stats[r].busy_seconds : 0.0);
    out << line;
  }
  const runtime::distributed::Traffic t = session.traffic();
  if (t.remote_pbs == 0) return;
  std::snprintf(line, sizeof line, "  traffic: %.0f bytes per PBS sent to other ranks (%s out, %s back)\n",
                static_cast<double>(t.bytes_sent + t.bytes_received) / static_cast<double>(t.remote_pbs),
                format_bytes(t.bytes_sent).c_str(), format_bytes(t.bytes_received).c_str());
  out << line;
}

}  // namespace veil::app
