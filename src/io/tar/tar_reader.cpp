// POSIX tar reading: 512-byte blocks, octal (or GNU base-256) numbers, header
// checksums, pax 'path'/'size' records and GNU 'L' long names.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "veil/common/error.hpp"
#include "veil/io/tar_archive.hpp"

namespace veil::io {
namespace {

constexpr std::uint64_t kBlock = 512;
// Pax and long-name records larger than this are corrupt, not real metadata.
constexpr std::uint64_t kMaxMetadata = 1u << 20;
// Member sizes beyond this are corrupt: the seek over a larger one can turn negative (streamoff is
// signed) and land back on its own header, for ever, or its padding wrap to nothing.
constexpr std::uint64_t kMaxMemberBytes = std::uint64_t{1} << 62;
// Data is read in chunks: a member's claimed size is allocated only as its bytes arrive.
constexpr std::uint64_t kReadChunk = std::uint64_t{1} << 20;

std::uint64_t padded(std::uint64_t size) { return (size + kBlock - 1) / kBlock * kBlock; }

std::string field_text(const std::uint8_t* field, std::size_t width) {
  const auto* end = std::find(field, field + width, std::uint8_t{0});
  return std::string(field, end);
}

std::uint64_t parse_number(const std::uint8_t* field, std::size_t width, const std::string& what) {
  if (field[0] & 0x80) {  // GNU base-256, big-endian, for sizes of 8 GiB and more
    std::uint64_t value = field[0] & 0x7F;
    for (std::size_t i = 1; i < width; ++i) {
      if (value >> 56) throw FormatError(what + ": base-256 number overflows 64 bits");
      value = (value << 8) | field[i];
    }
    return value;
  }
  std::uint64_t value = 0;
  std::size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  bool digits = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i, digits = true) {
    if (value >> 60) throw FormatError(what + ": octal number overflows 64 bits");
    value = value * 8 + (field[i] - '0');
  }
  for (; i < width; ++i)
    if (field[i] != ' ' && field[i] != 0)
      throw FormatError(what + ": '" + field_text(field, width) + "' is not an octal number");
  if (!digits) throw FormatError(what + ": empty numeric field");
  return value;
}

bool checksum_matches(const std::array<std::uint8_t, kBlock>& header, std::uint64_t stored) {
  std::uint64_t unsigned_sum = 0;
  std::int64_t signed_sum = 0;  // some old writers summed signed chars
  for (std::size_t i = 0; i < kBlock; ++i) {
    const std::uint8_t byte = (i >= 148 && i < 156) ? ' ' : header[i];
    unsigned_sum += byte;
    signed_sum += static_cast<std::int8_t>(byte);
  }
  return stored == unsigned_sum || static_cast<std::int64_t>(stored) == signed_sum;
}

// Pax records: "<length> <key>=<value>\n", length counting the whole record.
void apply_pax(const std::vector<std::uint8_t>& data, std::string& path, std::optional<std::uint64_t>& size,
               const std::string& what) {
  std::size_t pos = 0;
  while (pos < data.size() && data[pos] != 0) {
    std::size_t space = pos;
    std::uint64_t length = 0;
    while (space < data.size() && data[space] >= '0' && data[space] <= '9' && length < kMaxMetadata)
      length = length * 10 + (data[space++] - '0');
    if (space >= data.size() || data[space] != ' ' || length == 0 || pos + length > data.size() ||
        data[pos + length - 1] != '\n')
      throw FormatError(what + ": malformed pax record at byte " + std::to_string(pos));
    const std::string record(data.begin() + static_cast<std::ptrdiff_t>(space + 1),
                             data.begin() + static_cast<std::ptrdiff_t>(pos + length - 1));
    const auto eq = record.find('=');
    if (eq == std::string::npos) throw FormatError(what + ": pax record without '=': " + record);
    const std::string key = record.substr(0, eq), value = record.substr(eq + 1);
    if (key == "path") path = value;
    if (key == "size") {
      if (value.empty() || value.size() > 19 || value.find_first_not_of("0123456789") != std::string::npos)
        throw FormatError(what + ": pax size '" + value + "' is not a number");
      size = std::stoull(value);
    }
    pos += length;
  }
}

}  // namespace

TarReader::TarReader(std::istream& in, std::string name) : in_(in), name_(std::move(name)) {}

void TarReader::read_exact(std::vector<std::uint8_t>& out, std::uint64_t size, const char* what) {
  const std::uint64_t start = position_;
  out.clear();
  while (out.size() < size) {
    const std::size_t have = out.size();
    out.resize(have + std::min(size - have, kReadChunk));
    in_.read(reinterpret_cast<char*>(out.data() + have), static_cast<std::streamsize>(out.size() - have));
    const auto got = static_cast<std::uint64_t>(in_.gcount());
    position_ += got;
    if (have + got != out.size())
      throw FormatError(name_ + ": truncated tar: " + what + " needs " + std::to_string(size) + " bytes at offset " +
                        std::to_string(start) + ", only " + std::to_string(have + got) + " remain");
  }
}

void TarReader::skip(std::uint64_t size) {
  if (size == 0) return;
  // Seek past data, then confirm the archive really extends that far.
  in_.seekg(static_cast<std::streamoff>(size - 1), std::ios::cur);
  char last;
  if (!in_ || !in_.read(&last, 1))
    throw FormatError(name_ + ": truncated tar: member data ends past the end of the archive (offset " +
                      std::to_string(position_ + size) + ")");
  position_ += size;
}

bool TarReader::next(TarMember& out) {
  if (pending_data_) skip(pending_data_);
  pending_data_ = 0;
  std::string long_name;
  std::optional<std::uint64_t> pax_size;
  std::array<std::uint8_t, kBlock> header;
  while (true) {
    const std::uint64_t header_offset = position_;
    in_.read(reinterpret_cast<char*>(header.data()), kBlock);
    const auto got = static_cast<std::uint64_t>(in_.gcount());
    position_ += got;
    // Writers always end with zero blocks; stopping exactly between members is a truncation.
    if (got == 0)
      throw FormatError(name_ + ": truncated tar: ends at offset " + std::to_string(header_offset) +
                        " without the end-of-archive block");
    if (got != kBlock)
      throw FormatError(name_ + ": truncated tar: header at offset " + std::to_string(header_offset) + " has " +
                        std::to_string(got) + " of 512 bytes");
    if (std::all_of(header.begin(), header.end(), [](std::uint8_t b) { return b == 0; })) return false;
    const std::string what = name_ + ": tar header at offset " + std::to_string(header_offset);
    const std::uint64_t stored_sum = parse_number(header.data() + 148, 8, what + " checksum");
    if (!checksum_matches(header, stored_sum))
      throw FormatError(what + ": checksum mismatch (stored " + std::to_string(stored_sum) + ")");
    const std::uint64_t size = parse_number(header.data() + 124, 12, what + " size");
    const char type = static_cast<char>(header[156]);
    if (type == 'L' || type == 'x' || type == 'g') {
      if (size > kMaxMetadata) throw FormatError(what + ": metadata record of " + std::to_string(size) + " bytes");
      std::vector<std::uint8_t> data;
      read_exact(data, padded(size), "metadata record");
      data.resize(size);
      if (type == 'L') long_name = field_text(data.data(), data.size());
      if (type == 'x') apply_pax(data, long_name, pax_size, what);
      continue;  // global pax headers ('g') hold nothing a reader of shards needs
    }
    std::string member_name = field_text(header.data(), 100);
    const bool ustar = std::memcmp(header.data() + 257, "ustar", 5) == 0;
    if (ustar && header[345] != 0) member_name = field_text(header.data() + 345, 155) + "/" + member_name;
    out.name = long_name.empty() ? member_name : long_name;
    out.size = pax_size.value_or(size);
    out.regular = type == '0' || type == 0 || type == '7';
    // Links, directories and devices carry no data in their size field's sense.
    if (type == '1' || type == '2' || type == '5' || type == '3' || type == '4' || type == '6') out.size = 0;
    if (out.size > kMaxMemberBytes)
      throw FormatError(what + ": member size " + std::to_string(out.size) + " is beyond any archive (at most 2^62)");
    out.data_offset = position_;
    current_size_ = out.size;
    pending_data_ = padded(out.size);
    data_read_ = false;
    return true;
  }
}

void TarReader::read_data(std::vector<std::uint8_t>& out) {
  if (data_read_) throw InvalidArgument(name_ + ": read_data called twice for one tar member, or before next()");
  read_exact(out, current_size_, "member data");
  skip(pending_data_ - current_size_);
  pending_data_ = 0;
  data_read_ = true;
}

void TarReader::read_at(std::uint64_t offset, std::uint64_t size, std::vector<std::uint8_t>& out) {
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  if (!in_) throw FormatError(name_ + ": cannot seek to offset " + std::to_string(offset));
  position_ = offset;
  read_exact(out, size, "member data");
  pending_data_ = 0;
  data_read_ = true;
}

}  // namespace veil::io
