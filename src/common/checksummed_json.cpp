#include "veil/common/checksummed_json.hpp"

#include <algorithm>

#include "veil/common/error.hpp"
#include "veil/common/sha256.hpp"

namespace veil {

std::string json_checksum(const nlohmann::ordered_json& content) {
  const Sha256Digest digest = sha256({content.dump()});
  return hex_digits(digest);
}

std::string checksummed_json_text(nlohmann::ordered_json content) {
  const std::string checksum = json_checksum(content);
  content["checksum"] = checksum;
  return content.dump(2) + "\n";
}

void require_checksum(const std::string& stored, const std::string& computed, std::string_view what) {
  if (stored != computed) {
    throw FormatError(std::string(what) + ": checksum mismatch: the file says " + stored.substr(0, 16) +
                      ", its content hashes to " + computed.substr(0, 16) + " (the file was altered or corrupted)");
  }
}

void require_canonical_text(const std::string& text, const std::string& canonical, std::string_view what) {
  if (text != canonical) {
    const auto differ = std::ranges::mismatch(text, canonical).in1 - text.begin();
    throw FormatError(std::string(what) + ": altered: byte " + std::to_string(differ) +
                      " differs from the form this build writes for the same content");
  }
}

}  // namespace veil
