#include "runtime/row_evaluator.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>

#include "runtime/linear_rows.hpp"
#include "runtime/pbs_rows.hpp"

namespace veil::runtime::detail {

RowEvaluator::RowEvaluator(const compiler::FheProgram& program, const StagePlan& plan,
                           std::vector<const fhe::ServerKey*> keys, fhe::Backend& backend, ThreadPool& pool,
                           const fhe::SeededLweBatch& input, const ProgressCallback& progress, ServerRunStats& stats)
    : program_(program),
      plan_(plan),
      keys_(std::move(keys)),
      backend_(backend),
      pool_(pool),
      input_(input),
      progress_(progress),
      stats_(stats) {
  const fhe::LweDimension dimension = program_.big_dimension();
  stores_.reserve(plan.stages.size());
  for (const Stage& s : plan.stages) stores_.emplace_back(s.layout, dimension, backend_, resident_);
}

fhe::LweCiphertextArray RowEvaluator::run() {
  produce_through(plan_.output, 0);
  stats_.peak_resident_bytes = resident_.peak;
  const std::unique_ptr<fhe::ResidentArray> output = stores_[plan_.output].take_whole();
  fhe::LweCiphertextArray values(output->size(), output->dimension());
  backend_.download(*output, values);
  return values;
}

void RowEvaluator::produce_through(std::size_t stage, std::size_t last_row) {
  while (stores_[stage].produced() <= last_row) produce_next_row(stage);
}

void RowEvaluator::produce_next_row(std::size_t s) {
  const Stage& stage = plan_.stages[s];
  const auto node = static_cast<std::size_t>(stage.node);
  RowStore& store = stores_[s];
  const std::size_t row = store.produced();
  std::vector<const RowStore*> inputs;
  std::vector<int> exponents;
  for (std::size_t k = 0; k < stage.inputs.size(); ++k) {
    const Stage& in = plan_.stages[stage.inputs[k]];
    const LineRange rows = in.layout.rows_of(input_lines(plan_, stage, k, stage.layout.lines_of(row)));
    if (!rows.empty()) produce_through(stage.inputs[k], static_cast<std::size_t>(rows.last));
    inputs.push_back(&stores_[stage.inputs[k]]);
    exponents.push_back(in.exponent);
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<fhe::ResidentArray> out = store.new_row();
  const RowTask task{stage,   program_.circuit.nodes[node], std::move(inputs), std::move(exponents), row, out, pool_,
                     backend_};
  switch (stage.kind) {
    case StageKind::Input: expand_input_row(task, input_); break;
    case StageKind::Lookup:
    case StageKind::MaxPoolWindows:
    case StageKind::MaxPoolRows:
    case StageKind::MaxPoolColumns:
      compute_pbs_row(task, [&](const fhe::ResidentArray& in, std::span<const fhe::LookupTable* const> tables,
                                fhe::ResidentArray& result) { bootstrap(s, in, tables, result); });
      break;
    default: compute_linear_row(task); break;
  }
  store.commit(std::move(out));
  stats_.nodes[node].seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  free_consumed_rows(s);
}

void RowEvaluator::free_consumed_rows(std::size_t s) {
  for (const std::size_t in : plan_.stages[s].inputs) {
    std::size_t keep = plan_.stages[in].layout.rows();
    for (const Reader& r : plan_.stages[in].readers) {
      const std::size_t next = stores_[r.stage].produced();
      if (next < plan_.stages[r.stage].layout.rows()) {
        keep = std::min(keep, first_input_row_needed(plan_, plan_.stages[r.stage], r.slot, next));
      }
    }
    stores_[in].free_below(keep);
  }
}

void RowEvaluator::bootstrap(std::size_t s, const fhe::ResidentArray& inputs,
                             std::span<const fhe::LookupTable* const> tables, fhe::ResidentArray& outputs) {
  // Each site's PBS key-switches to its own partition's small key and bootstraps with its BSK. A
  // narrower partition reads values under its prefix of the stored key (the compiler checks that
  // they are) and pads its outputs back to the stored key (Backend::bootstrap_resident).
  const compiler::PbsSite* site = program_.site_of(plan_.stages[s].node);
  backend_.bootstrap_resident(*keys_[static_cast<std::size_t>(site->partition)], inputs, tables, outputs);
  pbs_done_ += inputs.size();
  stats_.nodes[static_cast<std::size_t>(plan_.stages[s].node)].pbs += inputs.size();
  if (progress_) progress_(pbs_done_, plan_.total_pbs);
}

}  // namespace veil::runtime::detail
