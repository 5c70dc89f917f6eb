#include "veil/nn/small_resnet.hpp"

#include <cmath>
#include <random>
#include <string>

#include "veil/common/error.hpp"
#include "veil/nn/fold_batch_norm.hpp"

namespace veil::nn {
namespace {

Tensor uniform_tensor(const Shape& shape, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  Tensor t(shape);
  for (auto& v : t.data) v = dist(rng);
  return t;
}

void check_input_size(std::int64_t input_size) {
  if (input_size < 4 || input_size % 4 != 0) {
    throw InvalidArgument("small ResNet input size is " + std::to_string(input_size) +
                          ", expected a multiple of 4 that is at least 4");
  }
}

}  // namespace

Graph make_small_resnet(std::uint32_t seed, std::int64_t input_size) {
  check_input_size(input_size);
  std::mt19937 rng(seed);
  Graph g;
  auto conv_bn = [&](ValueId in, const std::string& name, std::int64_t c_in, std::int64_t c_out, std::int64_t k,
                     std::int64_t stride) {
    Node c{OpKind::Conv2d, name, {in}, Conv2dAttrs{stride, k / 2}, {}, {}};
    const float bound = 1.5f / std::sqrt(static_cast<float>(c_in * k * k));
    c.params["weight"] = uniform_tensor({c_out, c_in, k, k}, rng, -bound, bound);
    Node b{OpKind::BatchNorm2d, name + ".bn", {g.add(std::move(c))}, BatchNormAttrs{1e-5f}, {}, {}};
    b.params["weight"] = uniform_tensor({c_out}, rng, 0.5f, 1.5f);
    b.params["bias"] = uniform_tensor({c_out}, rng, -0.2f, 0.2f);
    b.params["running_mean"] = uniform_tensor({c_out}, rng, -0.1f, 0.1f);
    b.params["running_var"] = uniform_tensor({c_out}, rng, 0.5f, 2.0f);
    return g.add(std::move(b));
  };
  auto relu = [&](ValueId x, const std::string& name) { return g.add({OpKind::Relu, name, {x}, NoAttrs{}, {}, {}}); };
  auto block = [&](ValueId x, const std::string& p, std::int64_t c_in, std::int64_t c_out, std::int64_t stride) {
    ValueId y = relu(conv_bn(x, p + "conv1", c_in, c_out, 3, stride), p + "relu1");
    y = conv_bn(y, p + "conv2", c_out, c_out, 3, 1);
    const ValueId id = c_in != c_out || stride != 1 ? conv_bn(x, p + "downsample", c_in, c_out, 1, stride) : x;
    return relu(g.add({OpKind::Add, p + "add", {y, id}, NoAttrs{}, {}, {}}), p + "relu2");
  };
  ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, input_size, input_size}});
  x = relu(conv_bn(x, "conv1", 3, 8, 3, 1), "relu");
  x = g.add({OpKind::MaxPool2d, "maxpool", {x}, Pool2dAttrs{3, 2, 1}, {}, {}});
  x = block(x, "layer1.0.", 8, 8, 1);
  x = block(x, "layer2.0.", 8, 12, 2);
  x = g.add({OpKind::AvgPool2d, "avgpool", {x}, Pool2dAttrs{input_size / 4, 1, 0}, {}, {}});
  x = g.add({OpKind::Flatten, "flatten", {x}, NoAttrs{}, {}, {}});
  Node fc{OpKind::Linear, "fc", {x}, NoAttrs{}, {}, {}};
  fc.params["weight"] = uniform_tensor({10, 12}, rng, -0.5f, 0.5f);
  fc.params["bias"] = uniform_tensor({10}, rng, -0.1f, 0.1f);
  g.output = g.add(std::move(fc));
  infer_shapes_inplace(g);
  fold_batch_norm_inplace(g);
  return g;
}

Tensor make_small_images(std::int64_t n, std::uint32_t seed, std::int64_t input_size) {
  check_input_size(input_size);
  std::mt19937 rng(seed);
  return uniform_tensor({n, 3, input_size, input_size}, rng, -2.0f, 2.0f);
}

}  // namespace veil::nn
