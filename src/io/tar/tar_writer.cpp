// ustar writing with GNU long-name records for names over 100 bytes, as GNU tar and
// Python's tarfile read them. Deterministic: mtime 0, owner 0, mode 0644.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "veil/common/error.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

constexpr std::size_t kBlock = 512;

void put_octal(std::uint8_t* field, std::size_t width, std::uint64_t value) {
  // width-1 octal digits and a NUL; sizes past 8 GiB use GNU base-256.
  if (width == 12 && value >= (std::uint64_t{1} << 33)) {
    field[0] = 0x80;
    for (std::size_t i = width; i-- > 1; value >>= 8) field[i] = static_cast<std::uint8_t>(value & 0xFF);
    return;
  }
  std::snprintf(reinterpret_cast<char*>(field), width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

}  // namespace

TarWriter::TarWriter(const std::filesystem::path& path) : path_(path), out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw IoError("cannot create tar " + path.string());
}

TarWriter::~TarWriter() {
  if (!finished_) {
    try {
      finish();
    } catch (const Error&) {  // destructors must not throw; call finish() to see errors
    }
  }
}

void TarWriter::write_padded(std::span<const std::uint8_t> data) {
  out_.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  static const std::array<char, kBlock> zeros{};
  const std::size_t pad = (kBlock - data.size() % kBlock) % kBlock;
  out_.write(zeros.data(), static_cast<std::streamsize>(pad));
  if (!out_) throw IoError("write error on tar " + path_.string());
}

void TarWriter::write_header(const std::string& name, std::uint64_t size, char type) {
  std::array<std::uint8_t, kBlock> header{};
  std::memcpy(header.data(), name.data(), std::min<std::size_t>(name.size(), 100));
  put_octal(header.data() + 100, 8, 0644);
  put_octal(header.data() + 108, 8, 0);
  put_octal(header.data() + 116, 8, 0);
  put_octal(header.data() + 124, 12, size);
  put_octal(header.data() + 136, 12, 0);
  header[156] = static_cast<std::uint8_t>(type);
  std::memcpy(header.data() + 257, "ustar", 6);
  std::memcpy(header.data() + 263, "00", 2);
  std::memset(header.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (auto b : header) sum += b;
  std::snprintf(reinterpret_cast<char*>(header.data() + 148), 8, "%06o", sum);
  header[155] = ' ';
  write_padded(header);
}

void TarWriter::add(const std::string& name, std::span<const std::uint8_t> data) {
  if (finished_) throw InvalidArgument("tar " + path_.string() + " is already finished");
  if (name.empty() || name.find('\0') != std::string::npos)
    throw InvalidArgument("tar member name '" + name + "' must be non-empty and free of NUL bytes");
  if (name.size() > 100) {
    const std::string long_name = name + '\0';
    write_header("././@LongLink", long_name.size(), 'L');
    write_padded(std::span(reinterpret_cast<const std::uint8_t*>(long_name.data()), long_name.size()));
  }
  write_header(name, data.size(), '0');
  write_padded(data);
}

void TarWriter::finish() {
  if (finished_) return;
  finished_ = true;
  static const std::array<std::uint8_t, 2 * kBlock> end{};
  out_.write(reinterpret_cast<const char*>(end.data()), end.size());
  out_.close();
  if (!out_) throw IoError("write error on tar " + path_.string());
}

}  // namespace veil::io
