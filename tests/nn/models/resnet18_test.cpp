// The ResNet-18 builder on torchvision's state_dict layout: structure, and rejection of
// missing, misshapen and unknown tensors (bad StateDicts are built here from the expected shapes).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "veil/common/error.hpp"
#include "veil/nn/resnet18.hpp"

namespace veil::nn {
namespace {

StateDict zero_state_dict() {
  StateDict sd;
  for (const auto& [key, shape] : resnet18_state_dict_shapes()) sd.emplace(key, Tensor(shape));
  for (auto& [key, t] : sd)
    if (key.ends_with("running_var")) std::fill(t.data.begin(), t.data.end(), 1.0f);
  return sd;
}

std::string error_of(const StateDict& sd) {
  try {
    make_resnet18(sd);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(Resnet18, HasTorchvisionTensorCount) {
  // 20 convs + 1 fc weight/bias; 20 BNs x 4 tensors (num_batches_tracked excluded).
  EXPECT_EQ(resnet18_state_dict_shapes().size(), 20u + 2u + 20u * 4u);
}

TEST(Resnet18, BuildsGraphWithTorchvisionStructure) {
  const Graph g = make_resnet18(zero_state_dict());
  int count[9] = {};
  for (const Node& n : g.nodes) ++count[static_cast<int>(n.op)];
  EXPECT_EQ(count[static_cast<int>(OpKind::Conv2d)], 20);
  EXPECT_EQ(count[static_cast<int>(OpKind::BatchNorm2d)], 20);
  EXPECT_EQ(count[static_cast<int>(OpKind::Relu)], 17);
  EXPECT_EQ(count[static_cast<int>(OpKind::Add)], 8);
  EXPECT_EQ(count[static_cast<int>(OpKind::MaxPool2d)], 1);
  EXPECT_EQ(count[static_cast<int>(OpKind::AvgPool2d)], 1);
  EXPECT_EQ(count[static_cast<int>(OpKind::Linear)], 1);
  EXPECT_EQ(to_string(g.node(g.output).shape), "[1000]");
  for (const Node& n : g.nodes) {
    if (n.name == "maxpool") {
      EXPECT_EQ(to_string(n.shape), "[64, 56, 56]");
    } else if (n.name == "layer4.1.relu2") {
      EXPECT_EQ(to_string(n.shape), "[512, 7, 7]");
    } else if (n.name == "avgpool") {
      EXPECT_EQ(to_string(n.shape), "[512, 1, 1]");
    }
  }
}

TEST(Resnet18, SmallerInputSizeKeepsTheNetworkAndPoolsTheWholeLastMap) {
  // input size -> side of layer4's output (= the AvgPool kernel)
  for (const auto& [size, side] : {std::pair<std::int64_t, std::int64_t>{16, 1}, {32, 1}, {48, 2}, {64, 2}, {96, 3}}) {
    const Graph g = make_resnet18(zero_state_dict(), size);
    EXPECT_EQ(g.node(0).shape, (Shape{3, size, size}));
    EXPECT_EQ(to_string(g.node(g.output).shape), "[1000]");
    for (const Node& n : g.nodes) {
      if (n.name == "layer4.1.relu2") {
        EXPECT_EQ(n.shape, (Shape{512, side, side})) << size;
      }
      if (n.name == "avgpool") {
        EXPECT_EQ(std::get<Pool2dAttrs>(n.attrs).kernel, side) << size;
        EXPECT_EQ(to_string(n.shape), "[512, 1, 1]") << size;
      }
    }
  }
}

TEST(Resnet18, RejectsInputSizeNotAMultipleOf16) {
  for (const std::int64_t size : {0, 8, 40, 225}) {
    try {
      make_resnet18(zero_state_dict(), size);
      ADD_FAILURE() << size << " accepted";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("multiple of 16"), std::string::npos) << e.what();
    }
  }
}

TEST(Resnet18, AcceptsNumBatchesTrackedScalars) {
  StateDict sd = zero_state_dict();
  sd.emplace("bn1.num_batches_tracked", Tensor(Shape{}));
  sd.emplace("layer2.0.downsample.1.num_batches_tracked", Tensor(Shape{}));
  EXPECT_EQ(error_of(sd), "");
}

TEST(Resnet18, RejectsMissingTensor) {
  StateDict sd = zero_state_dict();
  sd.erase("layer3.1.bn2.running_var");
  const std::string msg = error_of(sd);
  EXPECT_NE(msg.find("missing tensor 'layer3.1.bn2.running_var'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[256]"), std::string::npos) << msg;
}

TEST(Resnet18, RejectsWrongShapeNamingBothShapes) {
  StateDict sd = zero_state_dict();
  sd["conv1.weight"] = Tensor({64, 3, 3, 3});
  const std::string msg = error_of(sd);
  EXPECT_NE(msg.find("'conv1.weight'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[64, 3, 3, 3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[64, 3, 7, 7]"), std::string::npos) << msg;
}

TEST(Resnet18, RejectsUnknownTensor) {
  StateDict sd = zero_state_dict();
  sd.emplace("layer1.0.downsample.0.weight", Tensor({64, 64, 1, 1}));  // layer1 has no downsample
  EXPECT_NE(error_of(sd).find("unexpected tensor 'layer1.0.downsample.0.weight'"), std::string::npos);
  StateDict sd2 = zero_state_dict();
  sd2.emplace("fc.num_batches_tracked", Tensor(Shape{}));  // only BatchNorm layers have it
  EXPECT_NE(error_of(sd2).find("unexpected tensor 'fc.num_batches_tracked'"), std::string::npos);
}

TEST(Resnet18, RejectsNonScalarNumBatchesTracked) {
  StateDict sd = zero_state_dict();
  sd.emplace("bn1.num_batches_tracked", Tensor({2}));
  EXPECT_NE(error_of(sd).find("'bn1.num_batches_tracked' has shape [2]"), std::string::npos);
}

// Issue 14 item 6: a NaN weight used to surface as a quantizer "accumulator bound".
TEST(Resnet18, RejectsNonFiniteWeightsNamingTheTensor) {
  for (const float bad : {std::nanf(""), std::numeric_limits<float>::infinity()}) {
    StateDict sd = zero_state_dict();
    sd["layer2.0.conv1.weight"].data[5] = bad;
    const std::string msg = error_of(sd);
    EXPECT_NE(msg.find("tensor 'layer2.0.conv1.weight' holds"), std::string::npos) << msg;
    EXPECT_NE(msg.find("at element 5, expected finite numbers"), std::string::npos) << msg;
  }
}

TEST(Resnet18, RejectsNegativeRunningVariance) {
  StateDict sd = zero_state_dict();
  sd["bn1.running_var"].data[3] = -1.0f;
  EXPECT_NE(error_of(sd).find("running_var"), std::string::npos);
}

}  // namespace
}  // namespace veil::nn
