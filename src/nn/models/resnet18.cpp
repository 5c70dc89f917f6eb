#include "veil/nn/resnet18.hpp"

#include <algorithm>
#include <cmath>

#include "veil/common/error.hpp"

namespace veil::nn {
namespace {

constexpr float kBatchNormEps = 1e-5f;  // torch.nn.BatchNorm2d's default, used by torchvision
constexpr const char* kBatchNormKeys[] = {"weight", "bias", "running_mean", "running_var"};

struct Stage {
  const char* name;
  std::int64_t in_channels, out_channels, stride;
};
constexpr Stage kStages[] = {
    {"layer1", 64, 64, 1}, {"layer2", 64, 128, 2}, {"layer3", 128, 256, 2}, {"layer4", 256, 512, 2}};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Calls visit(kind, prefix, shapes) for every parametrized module, in forward order.
template <class Visit>
void for_each_module(Visit&& visit) {
  visit(OpKind::Conv2d, "conv1", Shape{64, 3, 7, 7});
  visit(OpKind::BatchNorm2d, "bn1", Shape{64});
  for (const Stage& st : kStages) {
    for (int b = 0; b < 2; ++b) {
      const std::string p = std::string(st.name) + "." + std::to_string(b) + ".";
      const std::int64_t in = b == 0 ? st.in_channels : st.out_channels;
      visit(OpKind::Conv2d, p + "conv1", Shape{st.out_channels, in, 3, 3});
      visit(OpKind::BatchNorm2d, p + "bn1", Shape{st.out_channels});
      visit(OpKind::Conv2d, p + "conv2", Shape{st.out_channels, st.out_channels, 3, 3});
      visit(OpKind::BatchNorm2d, p + "bn2", Shape{st.out_channels});
      if (b == 0 && (st.stride != 1 || st.in_channels != st.out_channels)) {
        visit(OpKind::Conv2d, p + "downsample.0", Shape{st.out_channels, in, 1, 1});
        visit(OpKind::BatchNorm2d, p + "downsample.1", Shape{st.out_channels});
      }
    }
  }
  visit(OpKind::Linear, "fc", Shape{1000, 512});
}

const Tensor& take(const StateDict& sd, const std::string& key, const Shape& expected) {
  auto it = sd.find(key);
  if (it == sd.end())
    throw InvalidArgument("ResNet-18 checkpoint: missing tensor '" + key + "' (expected shape " + to_string(expected) +
                          ")");
  if (it->second.shape != expected)
    throw InvalidArgument("ResNet-18 checkpoint: tensor '" + key + "' has shape " + to_string(it->second.shape) +
                          ", expected " + to_string(expected));
  return it->second;
}

void check_keys(const StateDict& sd) {
  const auto expected = resnet18_state_dict_shapes();
  for (const auto& [key, shape] : expected) {
    // A NaN or infinity would surface much later as a nonsensical quantizer bound.
    const Tensor& t = take(sd, key, shape);
    const auto bad = std::find_if(t.data.begin(), t.data.end(), [](float v) { return !std::isfinite(v); });
    if (bad != t.data.end())
      throw InvalidArgument("ResNet-18 checkpoint: tensor '" + key + "' holds " + std::to_string(*bad) +
                            " at element " + std::to_string(bad - t.data.begin()) + ", expected finite numbers");
  }
  for (const auto& [key, t] : sd) {
    if (expected.count(key)) continue;
    const std::string suffix = ".num_batches_tracked";
    if (ends_with(key, suffix) && expected.count(key.substr(0, key.size() - suffix.size()) + ".running_mean")) {
      if (element_count(t.shape) != 1 || t.shape.size() > 1)
        throw InvalidArgument("ResNet-18 checkpoint: tensor '" + key + "' has shape " + to_string(t.shape) +
                              ", expected a scalar []");
      continue;
    }
    throw InvalidArgument("ResNet-18 checkpoint: unexpected tensor '" + key + "' of shape " + to_string(t.shape) +
                          " (not part of torchvision's resnet18)");
  }
}

class Builder {
 public:
  Builder(const StateDict& sd, std::int64_t input_size) : sd_(sd), input_size_(input_size) {}

  ValueId conv_bn(ValueId x, const std::string& conv, const std::string& bn, std::int64_t stride,
                  std::int64_t padding) {
    Node c{OpKind::Conv2d, conv, {x}, Conv2dAttrs{stride, padding}, {}, {}};
    c.params["weight"] = sd_.at(conv + ".weight");
    Node b{OpKind::BatchNorm2d, bn, {g_.add(std::move(c))}, BatchNormAttrs{kBatchNormEps}, {}, {}};
    for (const char* k : kBatchNormKeys) b.params[k] = sd_.at(bn + "." + k);
    return g_.add(std::move(b));
  }
  ValueId relu(ValueId x, const std::string& name) { return g_.add({OpKind::Relu, name, {x}, NoAttrs{}, {}, {}}); }

  ValueId basic_block(ValueId x, const std::string& p, std::int64_t stride, bool downsample) {
    ValueId y = relu(conv_bn(x, p + "conv1", p + "bn1", stride, 1), p + "relu1");
    y = conv_bn(y, p + "conv2", p + "bn2", 1, 1);
    const ValueId identity = downsample ? conv_bn(x, p + "downsample.0", p + "downsample.1", stride, 0) : x;
    const ValueId sum = g_.add({OpKind::Add, p + "add", {y, identity}, NoAttrs{}, {}, {}});
    return relu(sum, p + "relu2");
  }

  Graph build() {
    ValueId x = g_.add({OpKind::Input, "input", {}, NoAttrs{}, {}, Shape{3, input_size_, input_size_}});
    x = relu(conv_bn(x, "conv1", "bn1", 2, 3), "relu");
    x = g_.add({OpKind::MaxPool2d, "maxpool", {x}, Pool2dAttrs{3, 2, 1}, {}, {}});
    for (const Stage& st : kStages)
      for (int b = 0; b < 2; ++b)
        x = basic_block(x, std::string(st.name) + "." + std::to_string(b) + ".", b == 0 ? st.stride : 1,
                        b == 0 && (st.stride != 1 || st.in_channels != st.out_channels));
    x = g_.add({OpKind::AvgPool2d, "avgpool", {x}, Pool2dAttrs{(input_size_ + 31) / 32, 1, 0}, {}, {}});
    x = g_.add({OpKind::Flatten, "flatten", {x}, NoAttrs{}, {}, {}});
    Node fc{OpKind::Linear, "fc", {x}, NoAttrs{}, {}, {}};
    fc.params["weight"] = sd_.at("fc.weight");
    fc.params["bias"] = sd_.at("fc.bias");
    g_.output = g_.add(std::move(fc));
    infer_shapes_inplace(g_);
    return std::move(g_);
  }

 private:
  const StateDict& sd_;
  std::int64_t input_size_;
  Graph g_;
};

}  // namespace

std::map<std::string, Shape> resnet18_state_dict_shapes() {
  std::map<std::string, Shape> shapes;
  for_each_module([&](OpKind kind, const std::string& prefix, const Shape& shape) {
    if (kind == OpKind::BatchNorm2d) {
      for (const char* k : kBatchNormKeys) shapes[prefix + "." + k] = shape;
    } else {
      shapes[prefix + ".weight"] = shape;
      if (kind == OpKind::Linear) shapes[prefix + ".bias"] = Shape{shape[0]};
    }
  });
  return shapes;
}

Graph make_resnet18(const StateDict& state_dict, std::int64_t input_size) {
  if (input_size < 16 || input_size % 16 != 0)
    throw InvalidArgument("ResNet-18 input size " + std::to_string(input_size) +
                          ": expected a positive multiple of 16 (the network downsamples by 32)");
  check_keys(state_dict);
  return Builder(state_dict, input_size).build();
}

}  // namespace veil::nn
