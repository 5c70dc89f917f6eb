// Resident arrays through the CPU backend (the Backend defaults every host backend uses): copies
// both ways with their shapes checked, linear batches bit for bit against the host entry point,
// the PBS under a wider nested key against the PBS under its own key, and arrays that a batch must
// refuse (another backend's, outputs that are a source).
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine_test_keys.hpp"
#include "linear_batch_cases.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/nested_key_ciphertexts.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe {
namespace {

LweCiphertextArray random_array(std::size_t count, LweDimension dimension, std::uint64_t seed) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
  LweCiphertextArray out(count, dimension);
  for (std::size_t i = 0; i < count; ++i) rng.fill_uniform(out[i]);
  return out;
}

TEST(ResidentArrays, StartZeroAndRoundTrip) {
  const auto backend = make_cpu_backend(testing::test_thread_pool());
  const auto resident = backend->make_resident(5, LweDimension(33));
  EXPECT_EQ(resident->size(), 5u);
  EXPECT_EQ(resident->bytes(), 5u * 34 * sizeof(Torus));
  LweCiphertextArray out = random_array(5, LweDimension(33), 1);
  backend->download(*resident, out);
  EXPECT_TRUE(std::ranges::all_of(out.data(), [](Torus v) { return v == 0; }));
  const LweCiphertextArray values = random_array(5, LweDimension(33), 2);
  backend->upload(values, *resident);
  backend->download(*resident, out);
  EXPECT_TRUE(std::ranges::equal(values.data(), out.data()));
  LweCiphertextArray wrong_count(4, LweDimension(33)), wrong_dimension(5, LweDimension(32));
  EXPECT_THROW(backend->upload(wrong_count, *resident), InvalidArgument);
  EXPECT_THROW(backend->download(*resident, wrong_dimension), InvalidArgument);
}

TEST(ResidentArrays, LinearBatchesEqualTheHostEntryPoint) {
  const auto backend = make_cpu_backend(testing::test_thread_pool());
  for (const auto& c : {testing::conv_like_case(41, LweDimension(577), 7, 3, 70),
                        testing::elementwise_case(42, LweDimension(300), 150, 9)}) {
    LweCiphertextArray host = testing::poisoned_outputs(c);
    backend->linear_batch(c.batch, host);
    EXPECT_TRUE(std::ranges::equal(host.data(), testing::resident_outputs(c, *backend).data()));
  }
}

// A resident array that no backend here made.
class ForeignArray final : public ResidentArray {
 public:
  ForeignArray(std::size_t size, LweDimension dimension) : ResidentArray(size, dimension) {}
};

TEST(ResidentArrays, RefusesForeignArraysAndOutputsThatAreASource) {
  const auto backend = make_cpu_backend(testing::test_thread_pool());
  const testing::LinearCase c = testing::elementwise_case(43, LweDimension(64), 20, 2);
  testing::ResidentLinearCase r = testing::resident_case(c, *backend);
  const auto outputs = backend->make_resident(c.outputs, c.dimension);
  ForeignArray foreign(c.outputs, c.dimension);
  EXPECT_THROW(backend->linear_resident(r.batch, foreign), InvalidArgument);
  LweCiphertextArray host(c.outputs, c.dimension);
  EXPECT_THROW(backend->upload(host, foreign), InvalidArgument);
  EXPECT_THROW(backend->download(foreign, host), InvalidArgument);
  r.batch.sources.push_back(outputs.get());
  try {
    backend->linear_resident(r.batch, *outputs);
    ADD_FAILURE() << "outputs that are a source accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("the outputs themselves"), std::string::npos) << e.what();
  }
}

// The runtime keeps every value under the widest nested key; a narrower partition's PBS reads its
// prefix and pads its outputs back. Here the wider key is the big key plus 300 zero coefficients:
// the outputs must decrypt like the PBS under the big key, with zeros beyond it (restrict checks).
TEST(ResidentArrays, PbsUnderAWiderKeyReadsThePrefixAndPadsItsOutputs) {
  constexpr int p = 3;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto& keys = testing::engine_keys(params);
  const LweDimension own = params.big_lwe_dimension(), wide(own.value + 300);
  const std::int64_t codes = std::int64_t{1} << p;
  std::vector<Torus> table_outputs;
  for (std::int64_t x = 0; x < codes; ++x) {
    table_outputs.push_back(encode_message((5 * x + 3) % codes, p, Signedness::unsigned_code));
  }
  const LookupTable table = make_lookup_table(params.polynomial_size, p, table_outputs);
  const LookupTable* tables[] = {&table};
  Csprng rng = Csprng::from_seed_insecure_for_tests(44);
  LweCiphertextArray inputs(static_cast<std::size_t>(codes), own), wide_inputs(inputs.size(), wide);
  for (std::int64_t x = 0; x < codes; ++x) {
    encrypt_lwe(keys.client, LweKeyKind::big, encode_message(x, p, Signedness::unsigned_code), rng,
                inputs[static_cast<std::size_t>(x)]);
  }
  extend_to_wider_key(inputs, wide_inputs);
  const auto backend = make_cpu_backend(testing::test_thread_pool());
  for (const LweDimension in_dimension : {own, wide}) {
    for (const LweDimension out_dimension : {own, wide}) {
      const auto in = backend->make_resident(inputs.size(), in_dimension);
      backend->upload(in_dimension == own ? inputs : wide_inputs, *in);
      const auto out = backend->make_resident(inputs.size(), out_dimension);
      backend->bootstrap_resident(keys.server, *in, tables, *out);
      LweCiphertextArray read(inputs.size(), out_dimension);
      backend->download(*out, read);
      const LweCiphertextArray under_own = restrict_to_prefix_key(read, own);
      for (std::int64_t x = 0; x < codes; ++x) {
        EXPECT_EQ(decrypt_message(keys.client, under_own[static_cast<std::size_t>(x)], p, Signedness::unsigned_code),
                  (5 * x + 3) % codes)
            << "input " << x << ", dimensions " << in_dimension.value << " -> " << out_dimension.value;
      }
    }
  }
  const auto narrow = backend->make_resident(inputs.size(), LweDimension(own.value - 1));
  const auto out = backend->make_resident(inputs.size(), own);
  EXPECT_THROW(backend->bootstrap_resident(keys.server, *narrow, tables, *out), InvalidArgument);
}

}  // namespace
}  // namespace veil::fhe
