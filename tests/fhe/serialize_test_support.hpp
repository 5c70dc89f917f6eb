#pragma once
// Shared by the serialize_* suites: keys built once per process on the insecure toy sets,
// byte-level corruption helpers, and a scratch directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "veil/common/sha256.hpp"
#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/keygen.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {
/// The toy keys of these tests load only when the loader is told that toy sets are allowed.
inline const LoadLimits kToyKeys{.allow = AllowInsecure::for_tests};
}  // namespace veil::fhe

namespace veil::fhe::serialize_test {

/// A client key and its server key on a toy set, made once (keygen dominates the suite's time).
struct ToyKeys {
  ClientKey client;
  IdentifiedServerKey server;
};

/// seed picks an independent key pair; the generators are seeded so failures reproduce.
inline const ToyKeys& toy_keys(int precision_bits, std::uint64_t seed) {
  static std::map<std::pair<int, std::uint64_t>, ToyKeys> cache;
  auto [it, inserted] = cache.try_emplace({precision_bits, seed});
  if (inserted) {
    Csprng rng = Csprng::from_seed_insecure_for_tests(seed);
    ThreadPool pool;
    const ParameterSet& params = insecure_toy_parameter_set(precision_bits);
    it->second.client = make_client_key(params, rng, AllowInsecure::for_tests);
    it->second.server.key = make_server_key(it->second.client, rng, pool, AllowInsecure::for_tests);
    it->second.server.key_id = key_id_of(it->second.client);
  }
  return it->second;
}

template <class Save>
std::string saved_bytes(Save save) {
  std::ostringstream out(std::ios::binary);
  save(out);
  return std::move(out).str();
}

/// Recomputes the trailing SHA-256 after a deliberate edit, so that the loader's field checks
/// (not the checksum) must catch it.
inline void rechecksum(std::string& bytes) {
  Sha256 hash;
  hash.update({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size() - 32});
  const Sha256Digest digest = hash.digest();
  bytes.replace(bytes.size() - 32, 32, reinterpret_cast<const char*>(digest.data()), 32);
}

/// Runs `load` on `bytes` and returns the FormatError message; fails the test if it
/// succeeds or throws anything else.
inline std::string load_error(const std::string& bytes, const std::function<void(std::istream&)>& load) {
  std::istringstream in(bytes, std::ios::binary);
  try {
    load(in);
  } catch (const FormatError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected FormatError, got " << typeid(e).name() << ": " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "loading " << bytes.size() << " bytes succeeded, expected FormatError";
  return {};
}

/// Every prefix of `bytes` (all lengths < size) must be rejected with FormatError.
inline void expect_every_truncation_rejected(const std::string& bytes, const std::function<void(std::istream&)>& load) {
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    SCOPED_TRACE("truncated to " + std::to_string(length) + " of " + std::to_string(bytes.size()) + " bytes");
    load_error(bytes.substr(0, length), load);
  }
}

/// Flipping all bits of any one byte at `positions` must be rejected with FormatError.
template <class Positions>
void expect_byte_flips_rejected(const std::string& bytes, const Positions& positions,
                                const std::function<void(std::istream&)>& load) {
  std::string corrupt = bytes;
  for (const std::size_t i : positions) {
    SCOPED_TRACE("byte " + std::to_string(i) + " of " + std::to_string(bytes.size()) + " flipped");
    corrupt[i] = static_cast<char>(~bytes[i]);
    load_error(corrupt, load);
    corrupt[i] = bytes[i];
  }
}

/// Flipping any single byte of `bytes` must be rejected with FormatError.
inline void expect_every_byte_flip_rejected(const std::string& bytes, const std::function<void(std::istream&)>& load) {
  std::vector<std::size_t> all(bytes.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  expect_byte_flips_rejected(bytes, all, load);
}

/// A fresh directory under the test artifacts for one test.
inline std::filesystem::path scratch_directory(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::path(VEIL_TEST_ARTIFACTS_DIR) / "serialize" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace veil::fhe::serialize_test
