#pragma once
// Incremental SHA-256 (OpenSSL EVP): the checksum of every serialized object and the
// hash behind key ids.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace veil::fhe::serialize {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::uint8_t> bytes);
  /// The digest of everything so far; the hash can keep being updated afterwards.
  Sha256Digest digest() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace veil::fhe::serialize
