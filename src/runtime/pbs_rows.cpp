#include "runtime/pbs_rows.hpp"

#include <stdexcept>
#include <variant>

#include "veil/fhe/linear_ops.hpp"

namespace veil::runtime::detail {

namespace {

using fhe::LweConstView;
using fhe::LweView;
using fhe::Torus;

// acc lifted to the read exponent, plus offset * 2^(63 - bits): the PBS reads
// acc / 2^shift + offset on `bits` bits.
void lookup_row(const RowTask& t, const BootstrapBatch& bootstrap) {
  const PbsRead& pbs = t.stage.pbs;
  const RowStore& x = *t.inputs[0];
  const RowLayout& out = t.stage.layout;
  const std::int64_t factor = scaled_weight(1, lift(t.input_exponents[0], pbs.read_exponent));
  const Torus offset = encode_at(pbs.offset, 63 - pbs.bits);
  fhe::LweCiphertextArray accs(t.out.size(), t.out.dimension());
  std::vector<const fhe::LookupTable*> tables(pbs.tables.size() == 1 ? 1 : t.out.size(), &pbs.tables[0]);
  t.pool.parallel_for(t.out.size(), 16, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t idx = begin; idx < end; ++idx) {
      const RowLayout::Position p = out.position(t.row, idx);
      fhe::lwe_mul_scalar(x.element(p.channel, p.line, p.col), factor, accs[idx]);
      fhe::lwe_add_plaintext_inplace(accs[idx], offset);
      if (tables.size() > 1) tables[idx] = &pbs.tables[static_cast<std::size_t>(p.channel)];
    }
  });
  bootstrap(accs, tables, t.out);
}

// What window position t of an output element reads.
struct Operand {
  enum Kind { skip, pad, ciphertext } kind = skip;
  LweConstView ct;
};

// Folds window positions 0..positions-1 of every element of the output row: the first
// operand that is not skipped starts the maximum, each later one is folded in with
// max2(operand, running) = running + L(operand - running), one PBS batch per position.
// Ciphertext operands sit at `source_exponent`; pad operands are the clear pad_value.
template <typename OperandOf>
void fold_row(const RowTask& t, std::int64_t positions, int source_exponent, std::int64_t pad_value,
              const OperandOf& operand_of, const BootstrapBatch& bootstrap) {
  const PbsRead& pbs = t.stage.pbs;
  const int w = t.stage.exponent, r = pbs.read_exponent;
  const std::int64_t to_stage = scaled_weight(1, lift(source_exponent, w));
  const std::int64_t to_read = scaled_weight(1, lift(source_exponent, r));
  const std::int64_t running_to_read = -scaled_weight(1, lift(w, r));
  const Torus offset = encode_at(pbs.offset, 63 - pbs.bits);
  const fhe::LookupTable* table = &pbs.tables[0];  // the pair lookup is per tensor (channel 0)
  const std::size_t count = t.out.size();
  std::vector<bool> started(count, false);
  std::vector<std::size_t> members;
  for (std::int64_t pos = 0; pos < positions; ++pos) {
    members.clear();
    for (std::size_t idx = 0; idx < count; ++idx) {
      const Operand op = operand_of(idx, pos);
      if (op.kind == Operand::skip) continue;
      if (started[idx]) {
        members.push_back(idx);
        continue;
      }
      started[idx] = true;
      if (op.kind == Operand::pad) {
        fhe::lwe_add_plaintext_inplace(t.out[idx], encode_at(pad_value, w));
      } else {
        fhe::lwe_mul_scalar(op.ct, to_stage, t.out[idx]);
      }
    }
    if (members.empty()) continue;
    fhe::LweCiphertextArray diffs(members.size(), t.out.dimension());
    fhe::LweCiphertextArray maxes(members.size(), t.out.dimension());
    t.pool.parallel_for(members.size(), 16, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t m = begin; m < end; ++m) {
        const Operand op = operand_of(members[m], pos);
        const LweView d = diffs[m];
        fhe::lwe_mul_scalar(t.out[members[m]], running_to_read, d);
        if (op.kind == Operand::pad) {
          fhe::lwe_add_plaintext_inplace(d, encode_at(pad_value, r));
        } else {
          fhe::lwe_add_scaled_inplace(d, op.ct, to_read);
        }
        fhe::lwe_add_plaintext_inplace(d, offset);
      }
    });
    bootstrap(diffs, std::span(&table, 1), maxes);
    t.pool.parallel_for(members.size(), 16, [&](std::size_t begin, std::size_t end, std::size_t) {
      for (std::size_t m = begin; m < end; ++m) fhe::lwe_add_inplace(t.out[members[m]], maxes[m]);
    });
  }
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
    if (r < 0 || r >= in.height || q < 0 || q >= in.width) return Operand{Operand::pad, {}};
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
