#include <string>
#include <string_view>

#include "veil/common/sha256.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe {

std::string ContextTag::hex() const { return hex_digits(bytes); }

std::string ContextTag::short_hex() const { return hex().substr(0, 16); }

ContextTag context_tag_of(std::string_view document) {
  Sha256 hash;
  hash.update(document);
  return ContextTag{hash.digest()};
}

}  // namespace veil::fhe
