#pragma once
// The raw AES-128-CTR keystream (OpenSSL EVP) as little-endian 64-bit words, seekable to
// any 16-byte block: the generator behind Csprng, and the mask stream of seeded LWE
// batches, where ciphertext i's mask is regenerated from its own block without the others.
#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace veil::fhe {

class AesCtrKeystream {
 public:
  /// The keystream of `key`, positioned at block 0 (counter block 0, big-endian as in CTR mode).
  explicit AesCtrKeystream(const std::array<std::uint8_t, 16>& key);
  ~AesCtrKeystream();
  AesCtrKeystream(const AesCtrKeystream&) = delete;
  AesCtrKeystream& operator=(const AesCtrKeystream&) = delete;

  /// The next words start at byte 16 * block of the keystream.
  void seek(std::uint64_t block);
  /// The next 8 * out.size() keystream bytes, each 8 read as a little-endian word.
  void fill(std::span<std::uint64_t> out);

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace veil::fhe
