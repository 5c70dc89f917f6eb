#include "runtime/pbs_rows.hpp"

#include <memory>
#include <stdexcept>
#include <variant>
#include <vector>

#include "runtime/batch_sources.hpp"

namespace veil::runtime::detail {

namespace {

using fhe::ResidentArray;
using fhe::ResidentLinearBatch;
using fhe::Torus;

// acc lifted to the read exponent, plus offset * 2^(63 - bits): the PBS reads
// acc / 2^shift + offset on `bits` bits. The accumulators are one linear batch (a group per
// element), so they are made where the rows are resident.
void lookup_row(const RowTask& t, const BootstrapBatch& bootstrap) {
  const PbsRead& pbs = t.stage.pbs;
  const RowLayout& out = t.stage.layout;
  const std::size_t count = t.out->size();
  ResidentLinearBatch batch;
  batch.weights = {scaled_weight(1, lift(t.input_exponents[0], pbs.read_exponent))};
  BatchSources sources(t, batch);
  const Torus offset = encode_at(pbs.offset, 63 - pbs.bits);
  std::vector<const fhe::LookupTable*> tables(pbs.tables.size() == 1 ? 1 : count, &pbs.tables[0]);
  for (std::size_t idx = 0; idx < count; ++idx) {
    const RowLayout::Position p = out.position(t.row, idx);
    batch.add_term(sources.element(0, p.channel, p.line, p.col), 0);
    batch.add_output(static_cast<std::uint32_t>(idx), 0, offset);
    batch.end_group();
    if (tables.size() > 1) tables[idx] = &pbs.tables[static_cast<std::size_t>(p.channel)];
  }
  const std::unique_ptr<ResidentArray> accs = t.backend.make_resident(count, t.out->dimension());
  t.backend.linear_resident(batch, *accs);
  bootstrap(*accs, tables, *t.out);
}

// What window position t of an output element reads.
struct Operand {
  enum Kind { skip, pad, ciphertext } kind = skip;
  RowStore::Place place{};
};

// A fold step's terms: W has one row and each term picks its column.
enum FoldColumn : std::uint32_t { kSame, kToStage, kRunningToRead, kToRead };

struct FoldConstants {
  std::vector<std::int64_t> weights;  // by FoldColumn
  Torus offset;                       // the pair lookup's offset, at the read
  Torus pad_at_read, pad_at_stage;    // a pad operand's value
};

// What element idx does at a window position: nothing new (its running value is copied), a fold
// into its running maximum (member), or the start of its maximum.
enum class FoldRole { copy, member, start };

ResidentLinearBatch fold_batch(const FoldConstants& k) {
  ResidentLinearBatch batch;
  batch.weights = k.weights;
  batch.columns = k.weights.size();
  return batch;
}

// operand - running at the read exponent, plus the offset: the PBS inputs of the members.
template <typename OperandOf>
ResidentLinearBatch difference_batch(const RowTask& t, const FoldConstants& k, const ResidentArray& running,
                                     const std::vector<std::size_t>& members, std::int64_t pos,
                                     const OperandOf& operand_of) {
  ResidentLinearBatch batch = fold_batch(k);
  BatchSources sources(t, batch);
  for (std::size_t m = 0; m < members.size(); ++m) {
    const Operand op = operand_of(members[m], pos);
    batch.add_term(sources.base(running) + static_cast<std::uint32_t>(members[m]), kRunningToRead);
    Torus constant = k.offset;
    if (op.kind == Operand::pad) {
      constant += k.pad_at_read;
    } else {
      batch.add_term(sources.at(op.place), kToRead);
    }
    batch.add_output(static_cast<std::uint32_t>(m), 0, constant);
    batch.end_group();
  }
  return batch;
}

// The running row after the position: running + max for the members (maxes in member order), the
// operand at the stage's exponent for the elements it starts, a copy for the rest.
template <typename OperandOf>
ResidentLinearBatch next_running_batch(const RowTask& t, const FoldConstants& k, const ResidentArray& running,
                                       const ResidentArray* maxes, const std::vector<FoldRole>& roles, std::int64_t pos,
                                       const OperandOf& operand_of) {
  ResidentLinearBatch batch = fold_batch(k);
  BatchSources sources(t, batch);
  std::uint32_t m = 0;
  for (std::size_t idx = 0; idx < roles.size(); ++idx) {
    Torus constant = 0;
    if (roles[idx] != FoldRole::start) {
      batch.add_term(sources.base(running) + static_cast<std::uint32_t>(idx), kSame);
    }
    if (roles[idx] == FoldRole::member) batch.add_term(sources.base(*maxes) + m++, kSame);
    if (roles[idx] == FoldRole::start) {
      const Operand op = operand_of(idx, pos);
      if (op.kind == Operand::pad) {
        constant = k.pad_at_stage;
      } else {
        batch.add_term(sources.at(op.place), kToStage);
      }
    }
    batch.add_output(static_cast<std::uint32_t>(idx), 0, constant);
    batch.end_group();
  }
  return batch;
}

// Folds window positions 0..positions-1 of every element of the output row: the first
// operand that is not skipped starts the maximum, each later one is folded in with
// max2(operand, running) = running + L(operand - running), one PBS batch per position.
// Ciphertext operands sit at `source_exponent`; pad operands are the clear pad_value. A linear
// batch writes each output once, so every position makes a new running row.
template <typename OperandOf>
void fold_row(const RowTask& t, std::int64_t positions, int source_exponent, std::int64_t pad_value,
              const OperandOf& operand_of, const BootstrapBatch& bootstrap) {
  const PbsRead& pbs = t.stage.pbs;
  const int w = t.stage.exponent, r = pbs.read_exponent;
  const FoldConstants constants{{1, scaled_weight(1, lift(source_exponent, w)), -scaled_weight(1, lift(w, r)),
                                 scaled_weight(1, lift(source_exponent, r))},
                                encode_at(pbs.offset, 63 - pbs.bits),
                                encode_at(pad_value, r),
                                encode_at(pad_value, w)};
  const fhe::LookupTable* table = &pbs.tables[0];  // the pair lookup is per tensor (channel 0)
  const std::size_t count = t.out->size();
  const fhe::LweDimension dimension = t.out->dimension();
  std::unique_ptr<ResidentArray> running = std::move(t.out);  // zero: nothing started
  std::vector<bool> started(count, false);
  std::vector<FoldRole> roles(count);
  std::vector<std::size_t> members;
  for (std::int64_t pos = 0; pos < positions; ++pos) {
    members.clear();
    bool starts = false;
    for (std::size_t idx = 0; idx < count; ++idx) {
      const bool skipped = operand_of(idx, pos).kind == Operand::skip;
      roles[idx] = skipped ? FoldRole::copy : started[idx] ? FoldRole::member : FoldRole::start;
      if (roles[idx] == FoldRole::member) members.push_back(idx);
      starts = starts || roles[idx] == FoldRole::start;
      started[idx] = started[idx] || !skipped;
    }
    if (members.empty() && !starts) continue;
    std::unique_ptr<ResidentArray> maxes;
    if (!members.empty()) {
      const auto diffs = t.backend.make_resident(members.size(), dimension);
      t.backend.linear_resident(difference_batch(t, constants, *running, members, pos, operand_of), *diffs);
      maxes = t.backend.make_resident(members.size(), dimension);
      bootstrap(*diffs, std::span(&table, 1), *maxes);
    }
    auto next = t.backend.make_resident(count, dimension);
    t.backend.linear_resident(next_running_batch(t, constants, *running, maxes.get(), roles, pos, operand_of), *next);
    running = std::move(next);
  }
  t.out = std::move(running);
}

// Sequential: the k x k window in row-major order, padded positions read pad_value.
void max_pool_windows_row(const RowTask& t, const BootstrapBatch& bootstrap) {
  const auto& a = std::get<nn::quant::MaxPool2dAttrs>(t.node.attrs);
  const RowStore& x = *t.inputs[0];
  const RowLayout& in = x.layout();
  const RowLayout& out = t.stage.layout;
  auto operand_of = [&](std::size_t idx, std::int64_t pos) {
    const RowLayout::Position p = out.position(t.row, idx);
    const std::int64_t r = p.line * a.stride - a.padding + pos / a.kernel;
    const std::int64_t q = p.col * a.stride - a.padding + pos % a.kernel;
    if (r < 0 || r >= in.height || q < 0 || q >= in.width) return Operand{Operand::pad};
    return Operand{Operand::ciphertext, x.element(p.channel, r, q)};
  };
  fold_row(t, a.kernel * a.kernel, t.input_exponents[0], a.pad_value, operand_of, bootstrap);
}

// Separable, first pass: h[c, r, j] folds the valid columns of input row r.
void max_pool_rows_row(const RowTask& t, const BootstrapBatch& bootstrap) {
  const auto& a = std::get<nn::quant::MaxPool2dAttrs>(t.node.attrs);
  const RowStore& x = *t.inputs[0];
  const RowLayout& in = x.layout();
  const RowLayout& out = t.stage.layout;
  auto operand_of = [&](std::size_t idx, std::int64_t pos) {
    const RowLayout::Position p = out.position(t.row, idx);
    const std::int64_t q = p.col * a.stride - a.padding + pos;
    if (q < 0 || q >= in.width) return Operand{};
    return Operand{Operand::ciphertext, x.element(p.channel, p.line, q)};
  };
  fold_row(t, a.kernel, t.input_exponents[0], a.pad_value, operand_of, bootstrap);
}

// Separable, second pass: y[c, i, j] folds h over the window's valid rows.
void max_pool_columns_row(const RowTask& t, const BootstrapBatch& bootstrap) {
  const auto& a = std::get<nn::quant::MaxPool2dAttrs>(t.node.attrs);
  const RowStore& h = *t.inputs[0];
  const RowLayout& in = h.layout();
  const RowLayout& out = t.stage.layout;
  auto operand_of = [&](std::size_t idx, std::int64_t pos) {
    const RowLayout::Position p = out.position(t.row, idx);
    const std::int64_t r = p.line * a.stride - a.padding + pos;
    if (r < 0 || r >= in.height) return Operand{};
    return Operand{Operand::ciphertext, h.element(p.channel, r, p.col)};
  };
  fold_row(t, a.kernel, t.input_exponents[0], a.pad_value, operand_of, bootstrap);
}

}  // namespace

void compute_pbs_row(const RowTask& task, const BootstrapBatch& bootstrap) {
  switch (task.stage.kind) {
    case StageKind::Lookup: return lookup_row(task, bootstrap);
    case StageKind::MaxPoolWindows: return max_pool_windows_row(task, bootstrap);
    case StageKind::MaxPoolRows: return max_pool_rows_row(task, bootstrap);
    case StageKind::MaxPoolColumns: return max_pool_columns_row(task, bootstrap);
    default: throw std::logic_error("compute_pbs_row: not a PBS stage");
  }
}

}  // namespace veil::runtime::detail
