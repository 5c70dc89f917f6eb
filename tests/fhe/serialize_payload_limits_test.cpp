// The exact payload sizes a caller passes as LoadLimits (issue 14): each object of a toy key
// loads under its own size and is refused, from its header, one byte below it.
#include <gtest/gtest.h>

#include "fhe/serialize_test_support.hpp"
#include "veil/fhe/encoding.hpp"
#include "veil/fhe/seeded_lwe.hpp"

namespace veil::fhe {
namespace {

using serialize_test::saved_bytes;
using serialize_test::toy_keys;

constexpr int kBits = 3;

// Loads `bytes` with `load` under LoadLimits{payload, AllowInsecure::for_tests} and {payload - 1}.
template <class Load>
void expect_exact_limit(const std::string& bytes, std::uint64_t payload, Load load) {
  {
    std::istringstream in(bytes);
    EXPECT_NO_THROW(load(in, LoadLimits{payload, AllowInsecure::for_tests}));
  }
  std::istringstream in(bytes);
  try {
    load(in, LoadLimits{payload - 1, AllowInsecure::for_tests});
    FAIL() << "a payload of " << payload << " bytes was accepted under a limit one byte smaller";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds the limit of " + std::to_string(payload - 1)), std::string::npos)
        << e.what();
  }
}

TEST(SerializePayloadLimits, KeysLoadUnderTheirExactPayloadOnly) {
  const auto& keys = toy_keys(kBits, 1);
  const ParameterSet& params = keys.client.parameters();
  expect_exact_limit(saved_bytes([&](std::ostream& out) { save_client_key(keys.client, out); }),
                     client_key_payload_bytes(params),
                     [](std::istream& in, const LoadLimits& limits) { load_client_key(in, limits); });
  expect_exact_limit(saved_bytes([&](std::ostream& out) { save_server_key(keys.server.key, keys.server.key_id, out); }),
                     server_key_payload_bytes(params),
                     [](std::istream& in, const LoadLimits& limits) { load_server_key(in, limits); });
}

TEST(SerializePayloadLimits, BatchesLoadUnderTheirExactPayloadOnly) {
  const ClientKey& client = toy_keys(kBits, 1).client;
  const ParameterSet& params = client.parameters();
  Csprng rng = Csprng::from_seed_insecure_for_tests(5);
  const std::vector<Torus> plaintexts(7, encode_message(1, kBits, Signedness::unsigned_code));
  const SeededLweBatch seeded = encrypt_seeded_lwe_batch(client, LweKeyKind::big, plaintexts, rng);
  expect_exact_limit(saved_bytes([&](std::ostream& out) { save_seeded_lwe_batch(seeded, out); }),
                     seeded_lwe_batch_payload_bytes(params, 7),
                     [](std::istream& in, const LoadLimits& limits) { load_seeded_lwe_batch(in, limits); });
  for (const LweKeyKind kind : {LweKeyKind::small, LweKeyKind::big}) {
    CiphertextBatch batch;
    batch.parameter_set_name = params.name;
    batch.key_id = key_id_of(client);
    batch.key_kind = kind;
    batch.ciphertexts =
        LweCiphertextArray(5, kind == LweKeyKind::small ? params.lwe_dimension : params.big_lwe_dimension());
    expect_exact_limit(saved_bytes([&](std::ostream& out) { save_ciphertext_batch(batch, out); }),
                       ciphertext_batch_payload_bytes(params, kind, 5),
                       [](std::istream& in, const LoadLimits& limits) { load_ciphertext_batch(in, limits); });
  }
}

}  // namespace
}  // namespace veil::fhe
