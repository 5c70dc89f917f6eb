// The clear PBS test backend reads the same table entries as the CPU backend's real PBS, on
// both negacyclic halves, so tests that use it check the server's encodings faithfully.
#include <gtest/gtest.h>

#include <random>

#include "runtime/clear_pbs_backend.hpp"
#include "runtime/runtime_test_support.hpp"
#include "veil/fhe/lwe_encryption.hpp"

namespace veil::runtime {
namespace {

using namespace veil::runtime::testing;

TEST(ClearPbsBackend, AgreesWithTheCpuBackendAtEveryBoxCentre) {
  constexpr int kBits = 6, kOutputExponent = 50;
  const TestKeys& keys = test_keys("insecure_toy_p6");
  const fhe::ParameterSet& params = keys.client.parameters();
  std::mt19937_64 gen(3);
  std::vector<fhe::Torus> entries(std::size_t{1} << kBits);
  for (auto& e : entries)
    e = static_cast<fhe::Torus>(static_cast<std::int64_t>(gen() % 2001) - 1000) << kOutputExponent;
  const fhe::LookupTable table = fhe::make_lookup_table(params.polynomial_size, kBits, entries);

  fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(4);
  const std::size_t count = std::size_t{2} << kBits;  // both halves of the negacyclic range
  fhe::LweCiphertextArray inputs(count, params.big_lwe_dimension());
  for (std::size_t x = 0; x < count; ++x) {
    fhe::encrypt_lwe(keys.client, fhe::LweKeyKind::big, static_cast<fhe::Torus>(x) << (63 - kBits), rng, inputs[x]);
  }
  const fhe::LookupTable* tables[] = {&table};
  fhe::LweCiphertextArray real(count, params.big_lwe_dimension()), clear(count, params.big_lwe_dimension());
  fhe::make_cpu_backend(test_pool())->programmable_bootstrap_batch(keys.server.key, inputs, tables, real);
  ClearPbsBackend(keys.client).programmable_bootstrap_batch(keys.server.key, inputs, tables, clear);
  const auto real_values = decrypt_integers(keys.client, real, kOutputExponent);
  const auto clear_values = decrypt_integers(keys.client, clear, kOutputExponent);
  for (std::size_t x = 0; x < count; ++x) {
    const std::int64_t expected = static_cast<std::int64_t>(entries[x % entries.size()]) >> kOutputExponent;
    EXPECT_EQ(clear_values[x], x < entries.size() ? expected : -expected) << "index " << x;
    EXPECT_EQ(real_values[x], clear_values[x]) << "index " << x;
  }
}

}  // namespace
}  // namespace veil::runtime
