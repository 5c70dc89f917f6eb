#pragma once
// SHA-256 (OpenSSL EVP) and lowercase hex: the one home for the checksums of every file format,
// key ids, context tags, model fingerprints and the weights' digest.
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace veil {

using Sha256Digest = std::array<std::uint8_t, 32>;

/// Incremental SHA-256. Throws veil::Error if OpenSSL fails.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::uint8_t> bytes);
  void update(std::string_view bytes);
  /// The digest of everything so far; the hash can keep being updated afterwards.
  Sha256Digest digest() const;

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// The digest of the concatenation of `parts`.
Sha256Digest sha256(std::initializer_list<std::string_view> parts);

/// Lowercase hex, two digits per byte.
std::string hex_digits(std::span<const std::uint8_t> bytes);

}  // namespace veil
