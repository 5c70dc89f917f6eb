#include "veil/runtime/cli/files.hpp"

#include <istream>
#include <sstream>

#include "veil/common/file_io.hpp"
#include "veil/runtime/cli/fhe_report.hpp"

namespace veil::runtime::cli {

std::string read_text_file(const std::filesystem::path& path) {
  std::ostringstream text;
  read_whole_file(path, "text", [&text](std::istream& in) { text << in.rdbuf(); });
  return text.str();
}

std::string describe_file(const std::filesystem::path& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return path.string() + ": " + (ec ? std::string("size unknown") : format_bytes(size));
}

}  // namespace veil::runtime::cli
