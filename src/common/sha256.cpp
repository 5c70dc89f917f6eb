#include "veil/common/sha256.hpp"

#include <openssl/evp.h>

#include <string>

#include "veil/common/error.hpp"

namespace veil {

struct Sha256::Context {
  EVP_MD_CTX* ctx = nullptr;
  ~Context() { EVP_MD_CTX_free(ctx); }
};

namespace {
[[noreturn]] void openssl_failed(const char* what) { throw Error(std::string("OpenSSL SHA-256: ") + what + " failed"); }
}  // namespace

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->ctx = EVP_MD_CTX_new();
  if (context_->ctx == nullptr) openssl_failed("EVP_MD_CTX_new");
  if (EVP_DigestInit_ex(context_->ctx, EVP_sha256(), nullptr) != 1) openssl_failed("EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) != 1) openssl_failed("EVP_DigestUpdate");
}

Sha256Digest Sha256::digest() const {
  // Finalising consumes a context, so finalise a copy and keep this one running.
  Context copy;
  copy.ctx = EVP_MD_CTX_new();
  if (copy.ctx == nullptr || EVP_MD_CTX_copy_ex(copy.ctx, context_->ctx) != 1) openssl_failed("EVP_MD_CTX_copy_ex");
  Sha256Digest out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(copy.ctx, out.data(), &length) != 1 || length != out.size()) {
    openssl_failed("EVP_DigestFinal_ex");
  }
  return out;
}

void Sha256::update(std::string_view bytes) {
  update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Sha256Digest sha256(std::initializer_list<std::string_view> parts) {
  Sha256 hash;
  for (const std::string_view part : parts) hash.update(part);
  return hash.digest();
}

std::string hex_digits(std::span<const std::uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (const std::uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace veil
