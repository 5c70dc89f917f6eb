// Key files face the security gate of key generation (issue 14 item 5): a client or server key
// naming a toy set is refused at load, before its key material is read, unless the caller allows
// toy sets; so a crafted key file cannot make a client encrypt under insecure parameters.
#include <gtest/gtest.h>

#include "fhe/serialize_test_support.hpp"

namespace veil::fhe {
namespace {

using serialize_test::saved_bytes;
using serialize_test::scratch_directory;
using serialize_test::toy_keys;

template <class Load>
std::string security_error(const std::string& bytes, Load load) {
  std::istringstream in(bytes);
  try {
    load(in);
  } catch (const SecurityError& e) {
    return e.what();
  }
  return "";
}

TEST(SerializeSecurityGate, ToyClientKeyIsRefusedUnlessAllowed) {
  const ClientKey& client = toy_keys(3, 1).client;
  const std::string bytes = saved_bytes([&](std::ostream& out) { save_client_key(client, out); });
  const std::string error = security_error(bytes, [](std::istream& in) { load_client_keys(in); });
  EXPECT_NE(error.find(client.parameters().name), std::string::npos) << error;
  EXPECT_NE(error.find("insecure"), std::string::npos) << error;
  std::istringstream in(bytes);
  EXPECT_EQ(key_id_of(load_client_key(in, kToyKeys)), key_id_of(client));
}

TEST(SerializeSecurityGate, ToyServerKeyIsRefusedUnlessAllowed) {
  const IdentifiedServerKey& server = toy_keys(3, 1).server;
  const std::string bytes = saved_bytes([&](std::ostream& out) { save_server_key(server, out); });
  EXPECT_NE(security_error(bytes, [](std::istream& in) { load_server_key(in); }).find("insecure"), std::string::npos);
  std::istringstream in(bytes);
  EXPECT_EQ(load_server_key(in, kToyKeys).key_id, server.key_id);
}

TEST(SerializeSecurityGate, ToyKeyFilesAreRefusedUnlessAllowed) {
  const std::filesystem::path dir = scratch_directory("security_gate");
  const serialize_test::ToyKeys& keys = toy_keys(3, 1);
  save_client_key_file(keys.client, dir / "client.key");
  save_server_key_file(keys.server, dir / "server.key");
  EXPECT_THROW(load_client_keys_file(dir / "client.key"), SecurityError);
  EXPECT_THROW(load_server_key_file(dir / "server.key"), SecurityError);
  EXPECT_EQ(load_client_keys_file(dir / "client.key", kToyKeys).size(), 1u);
  EXPECT_TRUE(holds_client_key(dir / "client.key"));
  EXPECT_FALSE(holds_client_key(dir / "server.key"));
  EXPECT_FALSE(holds_client_key(dir / "absent.key"));
  EXPECT_FALSE(holds_client_key(dir));
}

}  // namespace
}  // namespace veil::fhe
