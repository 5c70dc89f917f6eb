#pragma once
// JSON files that carry the SHA-256 of their own content and are accepted only in the one form
// their writer gives, so that no byte changes unnoticed: the client spec and compile_options.json
// (docs/serialization.md). Each document names its own fields; these are the checks they share.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace veil {

/// Hex SHA-256 of the compact dump of `content` (the document without its "checksum").
std::string json_checksum(const nlohmann::ordered_json& content);

/// The file: `content` with "checksum" (json_checksum(content)) appended, indented by 2, ending in
/// a newline.
std::string checksummed_json_text(nlohmann::ordered_json content);

/// FormatError "<what>: checksum mismatch: the file says <16 hex>, its content hashes to
/// <16 hex> (...)" unless `stored` is `computed`.
void require_checksum(const std::string& stored, const std::string& computed, std::string_view what);

/// FormatError "<what>: altered: byte N differs from the form this build writes ..." unless `text`
/// is `canonical` byte for byte (whitespace, the spelling of a number, the order of fields).
void require_canonical_text(const std::string& text, const std::string& canonical, std::string_view what);

}  // namespace veil
