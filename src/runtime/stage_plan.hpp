#pragma once
// The server's evaluation plan, made once per program: every circuit node as a stage that
// produces its value row by row (a Separable max-pool as two stages, the row folds and the
// column folds), with each value's row layout, exponent, readers and PBS tables.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/row_layout.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/lookup_table.hpp"

namespace veil::runtime::detail {

enum class StageKind {
  Input,   // expanded from the client's seeded batch
  Conv,    // IntConv2d
  Linear,  // IntLinear
  Combine,
  SumPool,
  Flatten,
  Lookup,
  MaxPoolWindows,  // MaxPool2d, Sequential schedule
  MaxPoolRows,     // MaxPool2d, Separable: h[c, r, j] folds the columns of input row r
  MaxPoolColumns,  // MaxPool2d, Separable: y[c, i, j] folds h over the window's rows
};

/// Which input lines an output line reads.
enum class LineAccess {
  same,    // line i reads line i
  window,  // line i reads [i*stride - padding, i*stride - padding + window - 1]
  all,     // every line (whole readers)
};

/// What a PBS stage's bootstraps read: the accumulator lifted to read_exponent, plus
/// offset * 2^(63 - bits); table entries sit at the stage's exponent.
struct PbsRead {
  int bits = 0;
  int read_exponent = 0;
  std::int64_t offset = 0;
  std::vector<fhe::LookupTable> tables;  // one per channel, or one for all
};

struct Reader {
  std::size_t stage = 0, slot = 0;
};

struct Stage {
  StageKind kind = StageKind::Input;
  nn::quant::QValueId node = 0;     // the circuit node it computes (attributes, statistics)
  std::vector<std::size_t> inputs;  // stage ids, one per input slot
  RowLayout layout;
  int exponent = 0;  // phase = q * 2^exponent
  LineAccess access = LineAccess::same;
  std::int64_t window = 1, stride = 1, padding = 0;  // vertical window (LineAccess::window)
  PbsRead pbs;                                       // Lookup and max-pool stages
  std::vector<Reader> readers;                       // live stages reading this value
};

struct StagePlan {
  std::vector<Stage> stages;    // topological order; stage 0 is the input
  std::size_t output = 0;       // the stage producing the program's output (whole)
  std::uint64_t total_pbs = 0;  // PBS per image, from the program's sites
};

/// Builds the plan; InvalidArgument when the program's encodings disagree with each other
/// (an exponent that would have to shrink, a site read at the wrong exponent).
StagePlan make_stage_plan(const compiler::FheProgram& program);

/// Input lines of `slot` read by the output lines `lines` of `stage` (unclipped).
LineRange input_lines(const StagePlan& plan, const Stage& stage, std::size_t slot, LineRange lines);

/// The lowest row of input `slot` that `stage` reads for output row `row` or any later one.
std::size_t first_input_row_needed(const StagePlan& plan, const Stage& stage, std::size_t slot, std::size_t row);

}  // namespace veil::runtime::detail
