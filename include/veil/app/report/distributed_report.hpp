#pragma once
// Rank 0's report of a distributed run: what each rank evaluated, its rate, and the traffic.
#include <ostream>

#include "veil/runtime/distributed.hpp"

namespace veil::app {

void report_ranks(const runtime::distributed::Session& session, std::ostream& out);

}  // namespace veil::app
