#include "veil/nn/fp32_executor.hpp"

#include <cblas.h>

#include <algorithm>

#include "veil/common/error.hpp"
#include "veil/nn/fast_kernels.hpp"

namespace veil::nn {

Fp32Executor::Fp32Executor(Graph graph, std::size_t threads) : graph_(std::move(graph)), pool_(threads) {
  infer_shapes_inplace(graph_);
  plan();
}

void Fp32Executor::plan() {
  const std::vector<int> consumers = count_consumers(graph_);
  std::vector<ValueId> alias(graph_.nodes.size());  // value a node's result is stored in
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) alias[i] = static_cast<ValueId>(i);
  for (std::size_t i = 1; i < graph_.nodes.size(); ++i) {
    const Node& n = graph_.nodes[i];
    std::vector<ValueId> inputs;
    for (ValueId v : n.inputs) inputs.push_back(alias[static_cast<std::size_t>(v)]);
    if (n.op == OpKind::Relu) {
      const auto src = static_cast<std::size_t>(n.inputs[0]);
      const OpKind producer = graph_.nodes[src].op;
      if ((producer == OpKind::Conv2d || producer == OpKind::Add) && consumers[src] == 1 && !steps_.empty() &&
          steps_.back().output == alias[src] && !steps_.back().relu) {
        steps_.back().relu = true;  // the ReLU's value lives in the producer's buffer
        alias[i] = alias[src];
        continue;
      }
    }
    steps_.push_back({&n, std::move(inputs), static_cast<ValueId>(i), false});
  }
  alias_output_ = alias[static_cast<std::size_t>(graph_.output)];
  last_use_.assign(graph_.nodes.size(), 0);
  for (std::size_t s = 0; s < steps_.size(); ++s)
    for (ValueId v : steps_[s].inputs) last_use_[static_cast<std::size_t>(v)] = s;
  last_use_[static_cast<std::size_t>(alias_output_)] = steps_.size();  // never released
  values_.resize(graph_.nodes.size());
}

void Fp32Executor::acquire(ValueId v, std::int64_t batch) {
  const std::size_t need = static_cast<std::size_t>(batch * element_count(graph_.node(v).shape));
  // Best fit among free buffers; otherwise grow the largest one.
  auto best = free_buffers_.end();
  for (auto it = free_buffers_.begin(); it != free_buffers_.end(); ++it)
    if (it->capacity() >= need && (best == free_buffers_.end() || it->capacity() < best->capacity())) best = it;
  if (best == free_buffers_.end())
    best = std::max_element(free_buffers_.begin(), free_buffers_.end(),
                            [](const auto& a, const auto& b) { return a.capacity() < b.capacity(); });
  if (best != free_buffers_.end()) {
    value(v).data = std::move(*best);
    free_buffers_.erase(best);
  }
  value(v).data.reserve(need);
}

void Fp32Executor::release(ValueId v) {
  free_buffers_.push_back(std::move(value(v).data));
  value(v).data.clear();
  value(v).shape.clear();
}

void Fp32Executor::execute(const Step& step) {
  const Node& n = *step.node;
  auto in = [&](std::size_t k) -> const Tensor& { return value(step.inputs[k]); };
  auto p = [&](const char* key) -> const Tensor& { return n.params.at(key); };
  Tensor& y = value(step.output);
  switch (n.op) {
    case OpKind::Input: break;
    case OpKind::Conv2d: {
      const auto& attrs = std::get<Conv2dAttrs>(n.attrs);
      auto b = n.params.find("bias");
      scratch_.resize(
          std::max(scratch_.size(), fast_conv2d_scratch_size(in(0).shape, p("weight").shape, attrs, pool_.size())));
      fast_conv2d(in(0), p("weight"), b == n.params.end() ? nullptr : &b->second, attrs, step.relu, y, scratch_, pool_);
      break;
    }
    case OpKind::BatchNorm2d:
      fast_batch_norm2d(in(0), p("weight"), p("bias"), p("running_mean"), p("running_var"),
                        std::get<BatchNormAttrs>(n.attrs).eps, y, pool_);
      break;
    case OpKind::Relu: fast_relu(in(0), y, pool_); break;
    case OpKind::MaxPool2d: fast_max_pool2d(in(0), std::get<Pool2dAttrs>(n.attrs), y, pool_); break;
    case OpKind::AvgPool2d: fast_avg_pool2d(in(0), std::get<Pool2dAttrs>(n.attrs), y, pool_); break;
    case OpKind::Add: fast_add(in(0), in(1), step.relu, y, pool_); break;
    case OpKind::Flatten: fast_flatten(in(0), y, pool_); break;
    case OpKind::Linear: fast_linear(in(0), p("weight"), p("bias"), y, pool_); break;
  }
}

void Fp32Executor::run(const Tensor& images, Tensor& output) {
  const Shape& in_shape = graph_.node(0).shape;
  if (images.shape.size() != in_shape.size() + 1 || images.shape[0] < 1 ||
      !std::equal(in_shape.begin(), in_shape.end(), images.shape.begin() + 1))
    throw InvalidArgument("Fp32Executor::run: images of shape " + to_string(images.shape) + ", expected [N, " +
                          to_string(in_shape).substr(1) + " with N >= 1");
  if (images.data.size() != static_cast<std::size_t>(element_count(images.shape)))
    throw InvalidArgument("Fp32Executor::run: " + std::to_string(images.data.size()) + " values for shape " +
                          to_string(images.shape));
  openblas_set_num_threads(1);  // the kernels split GEMMs over pool_ themselves
  const std::int64_t batch = images.shape[0];
  acquire(0, batch);
  swap_leading_axes(images, value(0), pool_);  // to channel-major [C, N, ...] (or [F, N])
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    acquire(steps_[s].output, batch);
    execute(steps_[s]);
    for (ValueId v : steps_[s].inputs)
      if (last_use_[static_cast<std::size_t>(v)] == s && !value(v).shape.empty()) release(v);
  }
  swap_leading_axes(value(alias_output_), output, pool_);
  release(alias_output_);
}

}  // namespace veil::nn
