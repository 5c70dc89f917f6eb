#pragma once
// Lines of a text file that may be hostile (/dev/zero, one gigantic line, millions of empty
// ones): each read is bounded by limits the caller derives from what the file should hold, so
// memory stays bounded whatever the file is.
#include <cstdint>
#include <iosfwd>
#include <string>

namespace veil {

struct LineLimits {
  std::size_t max_line_bytes;  // before the '\n' (a '\r' ending the line counts)
  std::size_t max_lines;
  std::uint64_t max_bytes;  // everything read, terminators included
};

class LineReader {
 public:
  /// `name` opens every message, e.g. "labels CSV 'val.csv'". Reads `in` byte by byte from its
  /// buffer, so nothing after the last line returned is consumed.
  LineReader(std::istream& in, std::string name, LineLimits limits);

  /// The next line without its "\n" or "\r\n"; false at the end of the input. FormatError naming
  /// the input, the line and the limit as soon as a line, the line count or the bytes read pass
  /// their limit.
  bool next(std::string& line);

  /// 1-based number of the line last returned.
  std::size_t line_number() const { return lines_; }

 private:
  std::istream& in_;
  std::string name_;
  LineLimits limits_;
  std::size_t lines_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace veil
