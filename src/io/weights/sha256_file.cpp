#include <array>
#include <fstream>

#include "veil/common/error.hpp"
#include "veil/common/sha256.hpp"
#include "veil/io/weights.hpp"

namespace veil::io {

std::string sha256_file_hex(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open " + path.string() + " to compute its sha256");
  Sha256 hash;
  std::array<char, 1 << 16> buffer;
  while (in) {
    in.read(buffer.data(), buffer.size());
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw IoError("read error on " + path.string());
  return hex_digits(hash.digest());
}

}  // namespace veil::io
