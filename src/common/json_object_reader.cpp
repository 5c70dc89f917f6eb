#include "veil/common/json_object_reader.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include "veil/common/error.hpp"

namespace veil {

namespace {

using Json = JsonObjectReader::Json;

/// The value of an integer that fits an int64 (nlohmann stores non-negative ones unsigned).
std::optional<std::int64_t> as_int64(const Json& v) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) return v.get<std::int64_t>();
  return std::nullopt;
}

}  // namespace

Json parse_json_document(const std::string& text, std::string_view document) {
  const std::string what(document);
  try {
    return Json::parse(text, [&](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth)
        throw FormatError(what + ": not valid JSON: nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(what + ": not valid JSON: " + e.what());
  }
}

void fail_json_field(std::string_view document, const std::string& field, const std::string& problem) {
  throw FormatError(std::string(document) + ": field '" + field + "' " + problem);
}

JsonObjectReader::JsonObjectReader(const Json& object, std::string document, std::string path)
    : object_(object), document_(std::move(document)), path_(std::move(path)) {
  if (!object_.is_object()) fail(path_.empty() ? "(document)" : path_, "must be a JSON object");
}

void JsonObjectReader::fail(const std::string& field, const std::string& problem) const {
  fail_json_field(document_, field, problem);
}

const Json& JsonObjectReader::at(const std::string& key) {
  const auto it = object_.find(key);
  if (it == object_.end()) fail(name(key), "is missing");
  read_.insert(key);
  return *it;
}

std::int64_t JsonObjectReader::integer(const std::string& key, std::int64_t min, std::int64_t max) {
  const Json& v = at(key);
  const std::optional<std::int64_t> value = as_int64(v);
  if (!value || *value < min || *value > max) {
    fail(name(key), "= " + v.dump() + ", expected an integer in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return *value;
}

namespace {

double finite_number(const JsonObjectReader& reader, const Json& v, const std::string& field) {
  if (!v.is_number()) reader.fail(field, "must be a number, found " + v.dump());
  const double value = v.get<double>();
  if (!std::isfinite(value)) reader.fail(field, "must be finite");
  return value;
}

}  // namespace

double JsonObjectReader::number(const std::string& key) { return finite_number(*this, at(key), name(key)); }

std::string JsonObjectReader::string(const std::string& key) {
  const Json& v = at(key);
  if (!v.is_string()) fail(name(key), "must be a string, found " + v.dump());
  return v.get<std::string>();
}

std::string JsonObjectReader::sha256_hex(const std::string& key) {
  std::string value = string(key);
  if (value.size() != 64 || value.find_first_not_of("0123456789abcdef") != std::string::npos) {
    fail(name(key), "must be 64 lowercase hex digits");
  }
  return value;
}

std::vector<std::string> JsonObjectReader::strings(const std::string& key) {
  std::vector<std::string> out;
  for (const Json& x : array(key)) {
    if (!x.is_string()) fail(name(key), "has entry " + x.dump() + ", expected strings");
    out.push_back(x.get<std::string>());
  }
  return out;
}

std::vector<double> JsonObjectReader::numbers(const std::string& key) {
  std::vector<double> out;
  for (const Json& x : array(key)) out.push_back(finite_number(*this, x, name(key)));
  return out;
}

std::vector<std::int64_t> JsonObjectReader::integers(const std::string& key, bool may_be_empty) {
  std::vector<std::int64_t> out;
  for (const Json& x : array(key, may_be_empty)) {
    const std::optional<std::int64_t> value = as_int64(x);
    if (!value) fail(name(key), "has entry " + x.dump() + ", expected 64-bit integers");
    out.push_back(*value);
  }
  return out;
}

Shape JsonObjectReader::shape(const std::string& key) {
  Shape out;
  std::int64_t elements = 1;
  for (const Json& d : array(key)) {
    const std::optional<std::int64_t> value = as_int64(d);
    if (!value || *value < 1 || *value > (std::int64_t{1} << 31)) {
      fail(name(key), "has dimension " + d.dump() + ", expected integers in 1..2^31");
    }
    elements *= *value;
    if (elements > (std::int64_t{1} << 31)) fail(name(key), "has more than 2^31 elements");
    out.push_back(*value);
  }
  return out;
}

void JsonObjectReader::finish() const {
  for (const auto& [key, value] : object_.items()) {
    if (!read_.contains(key)) fail(name(key), "is unknown");
  }
}

const Json& JsonObjectReader::array(const std::string& key, bool may_be_empty) {
  const Json& v = at(key);
  if (!v.is_array() || (v.empty() && !may_be_empty))
    fail(name(key),
         std::string(may_be_empty ? "must be an array" : "must be a non-empty array") + ", found " + v.dump());
  return v;
}

}  // namespace veil
