#include "fhe/serialize/sha256.hpp"

#include <openssl/evp.h>

#include "veil/common/error.hpp"

namespace veil::fhe::serialize {

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

}  // namespace veil::fhe::serialize
