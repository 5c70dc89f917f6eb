#include "veil/common/line_reader.hpp"

#include <istream>
#include <utility>

#include "veil/common/error.hpp"

namespace veil {

LineReader::LineReader(std::istream& in, std::string name, LineLimits limits)
    : in_(in), name_(std::move(name)), limits_(limits) {}

bool LineReader::next(std::string& line) {
  using Traits = std::istream::traits_type;
  std::streambuf& buffer = *in_.rdbuf();
  line.clear();
  bool read_any = false;
  for (Traits::int_type c; !Traits::eq_int_type(c = buffer.sbumpc(), Traits::eof());) {
    read_any = true;
    if (++bytes_ > limits_.max_bytes)
      throw FormatError(name_ + " holds more than " + std::to_string(limits_.max_bytes) + " bytes, its limit");
    if (Traits::to_char_type(c) == '\n') break;
    if (line.size() == limits_.max_line_bytes)
      throw FormatError(name_ + ": line " + std::to_string(lines_ + 1) + " is longer than " +
                        std::to_string(limits_.max_line_bytes) + " bytes, the limit for a line");
    line.push_back(Traits::to_char_type(c));
  }
  if (!read_any) return false;
  if (++lines_ > limits_.max_lines)
    throw FormatError(name_ + " has more than " + std::to_string(limits_.max_lines) + " lines, its limit");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

}  // namespace veil
