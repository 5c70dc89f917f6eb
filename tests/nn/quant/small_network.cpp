#include "nn/quant/small_network.hpp"

#include "nn/fixtures.hpp"
#include "veil/nn/fold_batch_norm.hpp"

namespace veil::nn::quant::testing {

Graph make_small_resnet(std::uint32_t seed) {
  std::mt19937 rng(seed);
  Graph g;
  auto conv_bn = [&](ValueId in, const std::string& name, std::int64_t c_in, std::int64_t c_out, std::int64_t k,
                     std::int64_t stride) {
    Node c{OpKind::Conv2d, name, {in}, Conv2dAttrs{stride, k / 2}, {}, {}};
    const float bound = 1.5f / std::sqrt(static_cast<float>(c_in * k * k));
    c.params["weight"] = nn::testing::random_tensor({c_out, c_in, k, k}, rng, -bound, bound);
    Node b{OpKind::BatchNorm2d, name + ".bn", {g.add(std::move(c))}, BatchNormAttrs{1e-5f}, {}, {}};
    b.params["weight"] = nn::testing::random_tensor({c_out}, rng, 0.5f, 1.5f);
    b.params["bias"] = nn::testing::random_tensor({c_out}, rng, -0.2f, 0.2f);
    b.params["running_mean"] = nn::testing::random_tensor({c_out}, rng, -0.1f, 0.1f);
    b.params["running_var"] = nn::testing::random_tensor({c_out}, rng, 0.5f, 2.0f);
    return g.add(std::move(b));
  };
  auto relu = [&](ValueId x, const std::string& name) { return g.add({OpKind::Relu, name, {x}, NoAttrs{}, {}, {}}); };
  auto block = [&](ValueId x, const std::string& p, std::int64_t c_in, std::int64_t c_out, std::int64_t stride) {
    ValueId y = relu(conv_bn(x, p + "conv1", c_in, c_out, 3, stride), p + "relu1");
    y = conv_bn(y, p + "conv2", c_out, c_out, 3, 1);
    const ValueId id = c_in != c_out || stride != 1 ? conv_bn(x, p + "downsample", c_in, c_out, 1, stride) : x;
    return relu(g.add({OpKind::Add, p + "add", {y, id}, NoAttrs{}, {}, {}}), p + "relu2");
  };
  ValueId x = g.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, 20, 20}});
  x = relu(conv_bn(x, "conv1", 3, 8, 3, 1), "relu");
  x = g.add({OpKind::MaxPool2d, "maxpool", {x}, Pool2dAttrs{3, 2, 1}, {}, {}});
  x = block(x, "layer1.0.", 8, 8, 1);
  x = block(x, "layer2.0.", 8, 12, 2);
  x = g.add({OpKind::AvgPool2d, "avgpool", {x}, Pool2dAttrs{5, 1, 0}, {}, {}});
  x = g.add({OpKind::Flatten, "flatten", {x}, NoAttrs{}, {}, {}});
  Node fc{OpKind::Linear, "fc", {x}, NoAttrs{}, {}, {}};
  fc.params["weight"] = nn::testing::random_tensor({10, 12}, rng, -0.5f, 0.5f);
  fc.params["bias"] = nn::testing::random_tensor({10}, rng, -0.1f, 0.1f);
  g.output = g.add(std::move(fc));
  infer_shapes_inplace(g);
  fold_batch_norm_inplace(g);
  return g;
}

Tensor make_small_images(std::int64_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  return nn::testing::random_tensor({n, 3, 20, 20}, rng, -2.0f, 2.0f);
}

}  // namespace veil::nn::quant::testing
