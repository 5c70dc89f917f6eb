// Bounded line reading (issue 14): every limit names the input, the line and the limit; a line
// is taken without its terminator, and nothing past it is consumed.
#include "veil/common/line_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "veil/common/error.hpp"

namespace veil {
namespace {

constexpr LineLimits kRoomy{16, 8, 128};

std::vector<std::string> lines_of(const std::string& text, LineLimits limits = kRoomy) {
  std::istringstream in(text);
  LineReader reader(in, "test 'lines.txt'", limits);
  std::vector<std::string> lines;
  for (std::string line; reader.next(line);) {
    lines.push_back(line);
    EXPECT_EQ(reader.line_number(), lines.size());
  }
  return lines;
}

std::string refusal(const std::string& text, LineLimits limits) {
  try {
    lines_of(text, limits);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(no FormatError)";
}

TEST(LineReader, TakesLinesWithoutTheirTerminators) {
  EXPECT_EQ(lines_of("a\nbc\r\n\nlast"), (std::vector<std::string>{"a", "bc", "", "last"}));
  EXPECT_EQ(lines_of("a\n"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(lines_of("").empty());
}

TEST(LineReader, ConsumesNothingAfterTheLine) {
  std::istringstream in("fingerprint\nbinary rest");
  std::string line;
  ASSERT_TRUE(LineReader(in, "stream", kRoomy).next(line));
  EXPECT_EQ(line, "fingerprint");
  std::string rest;
  in >> rest;
  EXPECT_EQ(rest, "binary");
}

TEST(LineReader, EachLimitIsNamed) {
  EXPECT_EQ(lines_of(std::string(16, 'x')).front().size(), 16u);
  EXPECT_EQ(refusal(std::string(17, 'x'), kRoomy),
            "test 'lines.txt': line 1 is longer than 16 bytes, the limit for a line");
  EXPECT_EQ(refusal("a\n" + std::string(100, 'x'), kRoomy),
            "test 'lines.txt': line 2 is longer than 16 bytes, the limit for a line");
  EXPECT_EQ(lines_of(std::string(8, '\n')).size(), 8u);
  EXPECT_EQ(refusal(std::string(9, '\n'), kRoomy), "test 'lines.txt' has more than 8 lines, its limit");
  EXPECT_EQ(refusal("0123456789\n0123456789\n", {16, 8, 20}), "test 'lines.txt' holds more than 20 bytes, its limit");
}

}  // namespace
}  // namespace veil
