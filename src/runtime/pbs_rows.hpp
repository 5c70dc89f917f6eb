#pragma once
// The PBS stages on rows: a Lookup bootstraps its whole row in one batch; a max-pool folds
// its windows pairwise, max2(a, b) = b + L(a - b), one batch per fold step over the row, in
// the integer executor's order and operand roles (a = the window's next element, b = the
// running maximum).
#include "runtime/row_task.hpp"

namespace veil::runtime::detail {

/// Lookup, MaxPoolWindows, MaxPoolRows or MaxPoolColumns (by task.stage.kind).
void compute_pbs_row(const RowTask& task, const BootstrapBatch& bootstrap);

}  // namespace veil::runtime::detail
