#include "veil/runtime/server.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "runtime/row_evaluator.hpp"
#include "runtime/stage_plan.hpp"
#include "veil/common/error.hpp"
#include "veil/runtime/published_client_spec.hpp"

namespace veil::runtime {

Server::Server(compiler::FheProgram program, fhe::IdentifiedServerKey key, fhe::Backend& backend, ThreadPool& pool)
    : program_(std::move(program)), key_(std::move(key)), backend_(backend), pool_(pool) {
  if (key_.partition_count() != program_.partitions.size()) {
    throw InvalidArgument("server: evaluation keys for " + std::to_string(key_.partition_count()) +
                          " parameter set(s), the program runs on " + std::to_string(program_.partitions.size()));
  }
  for (std::size_t i = 0; i < program_.partitions.size(); ++i) {
    const fhe::ServerKey& k = key_.partition(i);
    if (k.parameters().name != program_.partitions[i].name) {
      throw InvalidArgument("server: evaluation keys of partition " + std::to_string(i) + " for parameter set " +
                            k.parameters().name + ", the program was compiled for " + program_.partitions[i].name);
    }
  }
  context_ = client::spec_digest(make_client_spec(program_));
  plan_ = std::make_shared<const detail::StagePlan>(detail::make_stage_plan(program_));
}

fhe::CiphertextBatch Server::run(const fhe::SeededLweBatch& input, const ProgressCallback& progress) {
  fhe::require_same_key(input, key_);
  if (input.context != context_) {
    throw InvalidArgument("server: the input was encrypted for client spec " + input.context.short_hex() +
                          ", this program publishes client spec " + context_.short_hex() +
                          " (an input for another model)");
  }
  if (input.key_kind != fhe::LweKeyKind::big || input.dimension != key_.key.parameters().big_lwe_dimension()) {
    throw InvalidArgument(
        "server: input ciphertexts of LWE dimension " + std::to_string(input.dimension.value) +
        ", expected the big key's k*N = " + std::to_string(key_.key.parameters().big_lwe_dimension().value));
  }
  const auto expected = static_cast<std::size_t>(element_count(program_.circuit.nodes[0].shape));
  if (input.size() != expected) {
    throw InvalidArgument("server: input of " + std::to_string(input.size()) + " ciphertexts, the program's input " +
                          to_string(program_.circuit.nodes[0].shape) + " has " + std::to_string(expected));
  }
  const auto start = std::chrono::steady_clock::now();
  stats_ = ServerRunStats{};
  for (const auto& node : program_.circuit.nodes) stats_.nodes.push_back(NodeRunStats{node.name, 0, 0.0});
  std::vector<const fhe::ServerKey*> keys;
  for (std::size_t i = 0; i < key_.partition_count(); ++i) keys.push_back(&key_.partition(i));
  detail::RowEvaluator evaluator(program_, *plan_, std::move(keys), backend_, pool_, input, progress, stats_);
  fhe::CiphertextBatch output{key_.key.parameters().name, key_.key_id, fhe::LweKeyKind::big, evaluator.run(), context_};
  for (const NodeRunStats& n : stats_.nodes) stats_.pbs += n.pbs;
  stats_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return output;
}

}  // namespace veil::runtime
