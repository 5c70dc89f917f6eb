// File helpers: round trips through real files, atomic replacement (no temporary left
// behind, the old file intact after a failed save), trailing bytes and missing files.
#include <gtest/gtest.h>

#include <fstream>

#include "fhe/serialize_test_support.hpp"

namespace veil::fhe {
namespace {

using serialize_test::scratch_directory;
using serialize_test::toy_keys;

constexpr int kBits = 3;

std::size_t entries_in(const std::filesystem::path& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(SerializeFile, EveryKindRoundTripsThroughFiles) {
  const auto dir = scratch_directory("round_trip");
  const auto& keys = toy_keys(kBits, 1);
  save_parameter_set_file(keys.client.parameters(), dir / "params.veil");
  save_client_key_file(keys.client, dir / "client.secret.veil");
  save_server_key_file(keys.server.key, keys.server.key_id, dir / "server.veil");
  CiphertextBatch batch{keys.client.parameters().name, keys.server.key_id, LweKeyKind::big,
                        LweCiphertextArray(3, keys.client.parameters().big_lwe_dimension()), ContextTag{}};
  batch.ciphertexts.data()[5] = 42;
  save_ciphertext_batch_file(batch, dir / "batch.veil");
  EXPECT_EQ(entries_in(dir), 4u) << "a temporary file was left behind";

  EXPECT_EQ(load_parameter_set_file(dir / "params.veil").name, keys.client.parameters().name);
  EXPECT_EQ(key_id_of(load_client_key_file(dir / "client.secret.veil", kToyKeys)), keys.server.key_id);
  EXPECT_EQ(load_server_key_file(dir / "server.veil", kToyKeys).key_id, keys.server.key_id);
  EXPECT_EQ(load_ciphertext_batch_file(dir / "batch.veil").ciphertexts.data()[5], 42u);
}

TEST(SerializeFile, FailedSaveLeavesTheOldFileAndNoTemporary) {
  const auto dir = scratch_directory("failed_save");
  const auto& keys = toy_keys(kBits, 1);
  save_parameter_set_file(keys.client.parameters(), dir / "x.veil");
  const auto size_before = std::filesystem::file_size(dir / "x.veil");
  ParameterSet unregistered = keys.client.parameters();
  unregistered.name = "unregistered";
  EXPECT_THROW(save_parameter_set_file(unregistered, dir / "x.veil"), InvalidArgument);
  EXPECT_EQ(entries_in(dir), 1u);
  EXPECT_EQ(std::filesystem::file_size(dir / "x.veil"), size_before);
  EXPECT_EQ(load_parameter_set_file(dir / "x.veil").name, keys.client.parameters().name);
}

TEST(SerializeFile, TrailingBytesAreRejected) {
  const auto dir = scratch_directory("trailing");
  save_parameter_set_file(insecure_toy_parameter_set(kBits), dir / "p.veil");
  std::ofstream(dir / "p.veil", std::ios::binary | std::ios::app) << 'x';
  EXPECT_THROW(load_parameter_set_file(dir / "p.veil"), FormatError);
}

TEST(SerializeFile, MissingFileOrDirectoryIsAnIoError) {
  const auto dir = scratch_directory("missing");
  EXPECT_THROW(load_server_key_file(dir / "absent.veil", kToyKeys), IoError);
  EXPECT_THROW(save_parameter_set_file(insecure_toy_parameter_set(kBits), dir / "no" / "such" / "dir.veil"), IoError);
}

}  // namespace
}  // namespace veil::fhe
