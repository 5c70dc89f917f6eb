#include "fhe/commons/aes_ctr_keystream.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"

namespace veil::fhe {

struct AesCtrKeystream::Context {
  EVP_CIPHER_CTX* ctx = nullptr;
  std::array<std::uint8_t, 16> key{};
  ~Context() { EVP_CIPHER_CTX_free(ctx); }
};

AesCtrKeystream::AesCtrKeystream(const std::array<std::uint8_t, 16>& key) : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_CIPHER_CTX_new();
  if (context_->ctx == nullptr) throw Error("AES-CTR keystream: OpenSSL could not allocate a cipher context");
  context_->key = key;
  seek(0);
}

AesCtrKeystream::~AesCtrKeystream() = default;

void AesCtrKeystream::seek(std::uint64_t block) {
  // CTR mode increments the whole 16-byte counter as a big-endian integer.
  std::array<std::uint8_t, 16> counter{};
  for (int i = 0; i < 8; ++i) counter[15 - i] = static_cast<std::uint8_t>(block >> (8 * i));
  if (EVP_EncryptInit_ex(context_->ctx, EVP_aes_128_ctr(), nullptr, context_->key.data(), counter.data()) != 1) {
    throw Error("AES-CTR keystream: OpenSSL could not initialise AES-128-CTR");
  }
}

void AesCtrKeystream::fill(std::span<std::uint64_t> out) {
  // Encrypting zeros in CTR mode yields the raw keystream. EVP takes int lengths: chunk.
  constexpr std::size_t kChunkWords = std::size_t{1} << 20;
  for (std::size_t done = 0; done < out.size(); done += kChunkWords) {
    const std::size_t words = std::min(kChunkWords, out.size() - done);
    auto* bytes = reinterpret_cast<unsigned char*>(out.data() + done);
    const int length = static_cast<int>(8 * words);
    std::memset(bytes, 0, 8 * words);
    int written = 0;
    if (EVP_EncryptUpdate(context_->ctx, bytes, &written, bytes, length) != 1 || written != length) {
      throw Error("AES-CTR keystream: keystream generation failed");
    }
    swap_words_on_big_endian_inplace({bytes, 8 * words});
  }
}

}  // namespace veil::fhe
