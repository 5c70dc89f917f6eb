#pragma once
// Fast fp32 inference of a graph on batches of images (channel-major kernels from
// fast_kernels.hpp: im2col + OpenBLAS sgemm, ReLU fused into the Conv2d or Add before it).
#include <cstddef>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/graph.hpp"

namespace veil::nn {

class Fp32Executor {
 public:
  /// Takes the graph (shapes are re-inferred, so it is validated). threads == 0 means all
  /// cores. Not thread-safe: one run at a time per executor. Running sets OpenBLAS's
  /// process-wide thread count to 1: all parallelism comes from the executor's own pool.
  explicit Fp32Executor(Graph graph, std::size_t threads = 0);

  /// images: [N, input shape...] (N >= 1), e.g. [N, 3, 224, 224]; output: [N, output
  /// shape...], e.g. logits [N, 1000]. Throws InvalidArgument on a wrong input shape.
  void run(const Tensor& images, Tensor& output);

  const Graph& graph() const { return graph_; }
  std::size_t threads() const { return pool_.size(); }

 private:
  struct Step {
    const Node* node;
    std::vector<ValueId> inputs;
    ValueId output;
    bool relu;  // a following ReLU fused into this step
  };

  void plan();
  void execute(const Step& step);
  Tensor& value(ValueId v) { return values_[static_cast<std::size_t>(v)]; }
  void acquire(ValueId v, std::int64_t batch);
  void release(ValueId v);

  Graph graph_;
  ThreadPool pool_;
  std::vector<Step> steps_;
  ValueId alias_output_ = 0;           // the value holding the graph output after fusion
  std::vector<std::size_t> last_use_;  // step index after which a value is dead
  std::vector<Tensor> values_;
  std::vector<std::vector<float>> free_buffers_;  // reused across steps and runs
  std::vector<float> scratch_;
};

}  // namespace veil::nn
