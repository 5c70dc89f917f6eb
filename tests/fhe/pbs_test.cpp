// Exhaustive known-answer tests of programmable bootstrapping: for every input code x of p
// bits, decrypt(PBS(encrypt(x), table)) == table(x), for four tables:
//   identity, ReLU with offset max(x - 2^(p-1), 0), a seeded random table, and a re-scaling
//   table 3x mod 2^(p+1) read at p+1 bits (a different Δ_out).
// Toy sets cover p = 1..5 quickly; the vetted tight (2^-40) sets cover p = 1..8, every table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_test_keys.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/pbs.hpp"

namespace veil::fhe {
namespace {

using testing::describe;
using testing::engine_keys;

enum class TableKind { identity, relu_offset, random, rescale };

const char* name_of(TableKind kind) {
  switch (kind) {
    case TableKind::identity: return "identity";
    case TableKind::relu_offset: return "relu_offset";
    case TableKind::random: return "random";
    case TableKind::rescale: return "rescale";
  }
  return "?";
}

/// The clear table: expected output codes and the precision they are encoded at.
struct ClearTable {
  std::vector<std::int64_t> codes;
  int output_bits;
};

ClearTable clear_table(TableKind kind, int p) {
  const std::int64_t size = std::int64_t{1} << p;
  ClearTable t{std::vector<std::int64_t>(static_cast<std::size_t>(size)), p};
  Csprng rng = Csprng::from_seed_insecure_for_tests(1000 + static_cast<std::uint64_t>(p));
  for (std::int64_t x = 0; x < size; ++x) {
    auto& out = t.codes[static_cast<std::size_t>(x)];
    switch (kind) {
      case TableKind::identity: out = x; break;
      case TableKind::relu_offset: out = std::max<std::int64_t>(x - size / 2, 0); break;
      case TableKind::random: out = static_cast<std::int64_t>(rng.uniform() % static_cast<Torus>(size)); break;
      case TableKind::rescale: out = (3 * x) % (2 * size); break;
    }
  }
  if (kind == TableKind::rescale) t.output_bits = p + 1;
  return t;
}

LookupTable encrypted_table(const ClearTable& t, const ParameterSet& params, int p) {
  std::vector<Torus> outputs;
  for (std::int64_t c : t.codes) outputs.push_back(encode_message(c, t.output_bits, Signedness::unsigned_code));
  return make_lookup_table(params.polynomial_size, p, outputs);
}

/// Runs every input through the batch PBS and checks every output; reports all failures.
void check_exhaustive(const ParameterSet& params, int p, TableKind kind) {
  const auto& keys = engine_keys(params);
  const ClearTable t = clear_table(kind, p);
  const LookupTable table = encrypted_table(t, params, p);
  const std::size_t count = std::size_t{1} << p;
  Csprng rng = Csprng::from_seed_insecure_for_tests(77 + static_cast<std::uint64_t>(p));
  LweCiphertextArray inputs(count, params.big_lwe_dimension()), outputs(count, params.big_lwe_dimension());
  for (std::size_t x = 0; x < count; ++x) {
    encrypt_lwe(keys.client, LweKeyKind::big,
                encode_message(static_cast<std::int64_t>(x), p, Signedness::unsigned_code), rng, inputs[x]);
  }
  const LookupTable* tables[] = {&table};
  programmable_bootstrap_batch(keys.server, inputs, tables, outputs, testing::test_thread_pool());
  for (std::size_t x = 0; x < count; ++x) {
    EXPECT_EQ(decrypt_message(keys.client, outputs[x], t.output_bits, Signedness::unsigned_code), t.codes[x])
        << "table " << name_of(kind) << ", p=" << p << ", x=" << x << ", " << describe(params);
  }
}

const TableKind kAllTables[] = {TableKind::identity, TableKind::relu_offset, TableKind::random, TableKind::rescale};

class ToyPbsTest : public ::testing::TestWithParam<int> {};

TEST_P(ToyPbsTest, EveryInputEveryTable) {
  for (TableKind kind : kAllTables) check_exhaustive(insecure_toy_parameter_set(GetParam()), GetParam(), kind);
}

INSTANTIATE_TEST_SUITE_P(Precisions, ToyPbsTest, ::testing::Range(1, 6));

// One case per precision: keys are made once (engine_keys caches them) and every table runs
// with them. Each p = 8 process holds ~4 GB of keys.
class TightPbs : public ::testing::TestWithParam<int> {};

TEST_P(TightPbs, EveryInputEveryTable) {
  const int p = GetParam();
  for (TableKind kind : kAllTables) check_exhaustive(vetted_parameter_set(p, ErrorTarget::tight), p, kind);
}

INSTANTIATE_TEST_SUITE_P(VettedTight, TightPbs, ::testing::Range(1, 9),
                         [](const ::testing::TestParamInfo<int>& info) { return "p" + std::to_string(info.param); });

TEST(Pbs, BatchEqualsOneAtATime) {
  const int p = 4;
  const ParameterSet& params = insecure_toy_parameter_set(p);
  const auto& keys = engine_keys(params);
  const LookupTable relu = encrypted_table(clear_table(TableKind::relu_offset, p), params, p);
  const LookupTable random = encrypted_table(clear_table(TableKind::random, p), params, p);
  // Not a multiple of any group size; on two threads, two key-switching chunks per thread.
  constexpr std::size_t kCount = 150;
  Csprng rng = Csprng::from_seed_insecure_for_tests(91);
  LweCiphertextArray inputs(kCount, params.big_lwe_dimension()), batch(kCount, params.big_lwe_dimension());
  std::vector<const LookupTable*> tables;
  for (std::size_t i = 0; i < kCount; ++i) {
    encrypt_lwe(keys.client, LweKeyKind::big,
                encode_message(static_cast<std::int64_t>(i % 16), p, Signedness::unsigned_code), rng, inputs[i]);
    tables.push_back(i % 3 == 0 ? &relu : &random);
  }
  programmable_bootstrap_batch(keys.server, inputs, tables, batch, testing::test_thread_pool());
  std::vector<std::byte> scratch(pbs_scratch_size(params));
  LweCiphertext single(params.big_lwe_dimension());
  for (std::size_t i = 0; i < kCount; ++i) {
    programmable_bootstrap(keys.server, inputs[i], *tables[i], single.view(), scratch);
    ASSERT_TRUE(std::equal(single.view().begin(), single.view().end(), batch[i].begin()))
        << "ciphertext " << i << " " << describe(params);
  }
  const LookupTable* shared[] = {&random};
  programmable_bootstrap_batch(keys.server, inputs, shared, batch, testing::test_thread_pool());
  for (std::size_t i = 0; i < kCount; ++i) {
    programmable_bootstrap(keys.server, inputs[i], random, single.view(), scratch);
    ASSERT_TRUE(std::equal(single.view().begin(), single.view().end(), batch[i].begin()))
        << "shared table, ciphertext " << i;
  }
}

TEST(Pbs, RejectsMismatchedShapes) {
  const ParameterSet& params = insecure_toy_parameter_set(3);
  const auto& keys = engine_keys(params);
  const LookupTable wrong_n = make_lookup_table(PolynomialSize(64), 3, [](std::uint64_t x) { return Torus{x}; });
  std::vector<std::byte> scratch(pbs_scratch_size(params));
  LweCiphertext in(params.big_lwe_dimension()), out(params.big_lwe_dimension()), small(params.lwe_dimension);
  EXPECT_THROW(programmable_bootstrap(keys.server, in.view(), wrong_n, out.view(), scratch), InvalidArgument);
  const LookupTable ok = make_lookup_table(params.polynomial_size, 3, [](std::uint64_t x) { return Torus{x}; });
  EXPECT_THROW(programmable_bootstrap(keys.server, small.view(), ok, out.view(), scratch), InvalidArgument);
  std::vector<std::byte> tiny(16);
  EXPECT_THROW(programmable_bootstrap(keys.server, in.view(), ok, out.view(), tiny), InvalidArgument);
  EXPECT_THROW(make_lookup_table(params.polynomial_size, 3, std::vector<Torus>(7)), InvalidArgument);
}

TEST(Keygen, RefusesUnvettedSets) {
  Csprng rng = Csprng::from_seed_insecure_for_tests(5);
  ParameterSet tampered = vetted_parameter_set(6, ErrorTarget::loose);
  tampered.lwe_dimension = LweDimension(500);
  EXPECT_THROW(make_client_key(tampered, rng), SecurityError) << describe(tampered);
  EXPECT_THROW(make_client_key(insecure_toy_parameter_set(4), rng), SecurityError);
  const ClientKey toy = make_client_key(insecure_toy_parameter_set(4), rng, AllowInsecure::for_tests);
  EXPECT_THROW(make_server_key(toy, rng, testing::test_thread_pool()), SecurityError);
}

}  // namespace
}  // namespace veil::fhe
