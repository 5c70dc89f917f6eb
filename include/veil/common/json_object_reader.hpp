#pragma once
// Typed reading of the programs' JSON documents (client spec, compile_options.json): every
// accessor names the field it complains about, and finish() refuses fields nobody read (a
// misspelt field is an error, not ignored). Numbers are checked before they are converted, so a
// hostile value (1e300 where an integer belongs) is an error, not a wrapped or undefined cast.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "veil/common/tensor.hpp"

namespace veil {

/// Nesting the documents may have (the client spec's is 3). nlohmann's parser keeps its own
/// stack, but its dump, comparison and copy recurse: 1 MiB of '[' named in a message would
/// overflow the thread's stack.
inline constexpr int kMaxJsonDepth = 64;

/// `text` parsed; FormatError "<document>: not valid JSON: ..." on a syntax error or nesting
/// deeper than kMaxJsonDepth.
nlohmann::ordered_json parse_json_document(const std::string& text, std::string_view document);

/// FormatError "<document>: field '<field>' <problem>".
[[noreturn]] void fail_json_field(std::string_view document, const std::string& field, const std::string& problem);

class JsonObjectReader {
 public:
  using Json = nlohmann::ordered_json;

  /// `document` opens every message ("client spec"); `path` names this object within it ("" for
  /// the root). FormatError unless `object` is a JSON object.
  JsonObjectReader(const Json& object, std::string document, std::string path);

  const Json& at(const std::string& key);
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max);
  /// A finite number.
  double number(const std::string& key);
  std::string string(const std::string& key);
  /// 64 lowercase hex digits (a SHA-256).
  std::string sha256_hex(const std::string& key);
  /// The arrays: non-empty (unless `may_be_empty`), every entry of the type.
  std::vector<std::string> strings(const std::string& key);
  std::vector<double> numbers(const std::string& key);
  std::vector<std::int64_t> integers(const std::string& key, bool may_be_empty = false);
  /// Dimensions in 1..2^31 with at most 2^31 elements in all (the payload limits that follow from
  /// the shapes must not wrap).
  Shape shape(const std::string& key);

  void finish() const;
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const;

 private:
  const Json& array(const std::string& key, bool may_be_empty = false);

  const Json& object_;
  std::string document_;
  std::string path_;
  std::set<std::string> read_;
};

}  // namespace veil
