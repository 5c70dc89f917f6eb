// What a compiled program publishes as its client spec (make_client_spec copies the program's
// encodings and sets, and its file round trip is exact), and require_matching_spec.
#include "veil/runtime/published_client_spec.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "runtime/runtime_test_support.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/model_file.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::runtime {
namespace {

using client::ClientSpec;
using nn::quant::QuantizationMode;

/// Unchanged through its file's JSON.
void expect_exact_round_trip(const ClientSpec& spec) {
  EXPECT_FALSE(client::first_difference(client::parse_client_spec(client::client_spec_json(spec)), spec).has_value());
}

/// The small ResNet compiled for a toy set (the circuit of the exact server test), once.
const compiler::FheProgram& program() {
  static const compiler::FheProgram compiled = compiler::compile_program(
      testing::small_circuit(QuantizationMode::ReferenceCompatible, nn::quant::NBits{3, 2, 2, 8}, std::nullopt, 8),
      testing::forced_set("insecure_toy_p6"));
  return compiled;
}

TEST(ClientSpecOfAProgram, CopiesTheProgramsEncodings) {
  const compiler::FheProgram& compiled = program();
  const ClientSpec spec = make_client_spec(compiled);
  const nn::quant::QNode& input = compiled.circuit.nodes[0];
  const nn::quant::QNode& output = compiled.circuit.node(compiled.circuit.output);
  EXPECT_EQ(spec.program_fingerprint, compiler::circuit_fingerprint(compiled.circuit));
  EXPECT_EQ(spec.parameter_sets, std::vector<std::string>{"insecure_toy_p6"});
  EXPECT_EQ(spec.input_shape, (Shape{3, 8, 8}));
  const auto& q = std::get<nn::quant::QuantizeInputAttrs>(input.attrs);
  EXPECT_EQ(spec.input_quantization.scale, q.scale);
  EXPECT_EQ(spec.input_quantization.zero_point, q.zero_point);
  EXPECT_EQ(spec.input_quantization.q_min, q.q_min);
  EXPECT_EQ(spec.input_quantization.q_max, q.q_max);
  EXPECT_EQ(spec.input_exponent, compiled.encodings[0].exponent);
  EXPECT_EQ(spec.output_shape, (Shape{10}));
  EXPECT_EQ(spec.output_scale.scale, output.scale.scale);
  EXPECT_EQ(spec.output_scale.zero_point, output.scale.zero_point);
  EXPECT_EQ(spec.output_exponent, compiled.output.exponent);
  EXPECT_EQ(spec.output_bound, compiled.output.bound);
  EXPECT_GT(spec.output_bound, 0);
  expect_exact_round_trip(spec);
}

// A multi-parameter program's spec lists every partition's set, partition 0 (the encryption
// set) first.
TEST(ClientSpecOfAProgram, ListsEveryPartitionsSet) {
  compiler::FheProgram multi = program();
  multi.partitions.push_back(fhe::parameter_set_by_name("insecure_toy_p6_n192"));
  const ClientSpec spec = make_client_spec(multi);
  EXPECT_EQ(spec.parameter_sets, (std::vector<std::string>{"insecure_toy_p6", "insecure_toy_p6_n192"}));
  expect_exact_round_trip(spec);
  EXPECT_THROW(require_matching_spec(make_client_spec(program()), multi), InvalidArgument);
}

TEST(ClientSpecOfAProgram, RequireMatchingSpecNamesTheFirstDifference) {
  const ClientSpec spec = make_client_spec(program());
  EXPECT_NO_THROW(require_matching_spec(client::parse_client_spec(client::client_spec_json(spec)), program()));
  const auto expect_mismatch = [&](const std::function<void(ClientSpec&)>& edit, const std::string& field) {
    ClientSpec edited = spec;
    edit(edited);
    try {
      require_matching_spec(edited, program());
      ADD_FAILURE() << "a spec with another " << field << " matched";
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("client spec does not match the program: " + field + " is "),
                std::string::npos)
          << e.what();
    }
  };
  expect_mismatch([](ClientSpec& s) { s.program_fingerprint = std::string(64, '0'); }, "program_fingerprint");
  expect_mismatch([](ClientSpec& s) { s.parameter_sets = {"insecure_toy_p8"}; }, "parameter_sets");
  expect_mismatch([](ClientSpec& s) { s.parameter_sets.push_back("insecure_toy_p6_n224"); }, "parameter_sets");
  expect_mismatch([](ClientSpec& s) { s.input_quantization.scale = std::nextafter(s.input_quantization.scale, 1e9); },
                  "input_quantization");
  expect_mismatch([](ClientSpec& s) { s.input_exponent -= 1; }, "input_exponent");
  expect_mismatch([](ClientSpec& s) { s.output_scale.zero_point[0] += 1; }, "output_scale");
  expect_mismatch([](ClientSpec& s) { s.output_exponent += 1; }, "output_exponent");
  expect_mismatch([](ClientSpec& s) { s.output_bound += 1; }, "output_bound");
}

TEST(ClientSpecOfAProgram, AnotherModelHasAnotherFingerprint) {
  compiler::FheProgram other = program();
  for (auto& node : other.circuit.nodes) {
    if (auto* conv = std::get_if<nn::quant::IntConv2dAttrs>(&node.attrs)) {
      conv->bias[0] += 1;
      break;
    }
  }
  EXPECT_NE(make_client_spec(other).program_fingerprint, make_client_spec(program()).program_fingerprint);
  EXPECT_THROW(require_matching_spec(make_client_spec(program()), other), InvalidArgument);
}

}  // namespace
}  // namespace veil::runtime
