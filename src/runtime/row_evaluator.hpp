#pragma once
// Pull-based row streaming over a stage plan. Producing row R of a stage first produces, in
// order, the input rows it reads (recursively), then computes the row, then frees the input
// rows that no reader will read again: a value keeps the rows from the lowest one still
// needed by a reader whose next output row is not done. Only a few lines of each [C, H, W]
// value are resident at any time.
#include <cstdint>
#include <vector>

#include "runtime/row_store.hpp"
#include "runtime/stage_plan.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/runtime/server.hpp"

namespace veil::runtime::detail {

class RowEvaluator {
 public:
  /// stats.nodes must have one entry per circuit node; keys[i] is partition i's (every
  /// partition's PBS outputs sit under the one big key of keys[0]).
  RowEvaluator(const compiler::FheProgram& program, const StagePlan& plan, std::vector<const fhe::ServerKey*> keys,
               fhe::Backend& backend, ThreadPool& pool, const fhe::SeededLweBatch& input,
               const ProgressCallback& progress, ServerRunStats& stats);

  /// The output value, whole, in C, H, W order.
  fhe::LweCiphertextArray run();

 private:
  void produce_through(std::size_t stage, std::size_t last_row);
  void produce_next_row(std::size_t stage);
  void free_consumed_rows(std::size_t stage);
  void bootstrap(std::size_t stage, const fhe::ResidentArray& inputs, std::span<const fhe::LookupTable* const> tables,
                 fhe::ResidentArray& outputs);

  const compiler::FheProgram& program_;
  const StagePlan& plan_;
  std::vector<const fhe::ServerKey*> keys_;
  fhe::Backend& backend_;
  ThreadPool& pool_;
  const fhe::SeededLweBatch& input_;
  const ProgressCallback& progress_;
  ServerRunStats& stats_;
  ResidentBytes resident_;
  std::vector<RowStore> stores_;  // per stage
  std::uint64_t pbs_done_ = 0;
};

}  // namespace veil::runtime::detail
