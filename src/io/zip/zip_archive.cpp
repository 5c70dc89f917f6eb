#include "veil/io/zip_archive.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"

namespace veil::io {
namespace {

constexpr std::uint32_t kEndOfCentralDirSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50;
constexpr std::uint32_t kZip64LocatorSig = 0x07064b50;
constexpr std::uint32_t kCentralEntrySig = 0x02014b50;
constexpr std::uint32_t kLocalHeaderSig = 0x04034b50;
constexpr std::size_t kEndRecordSize = 22;

std::uint64_t find_end_record(std::span<const std::uint8_t> bytes, const std::string& name) {
  if (bytes.size() < kEndRecordSize)
    throw FormatError(name + ": " + std::to_string(bytes.size()) +
                      " bytes is too short for a zip archive (not a PyTorch zip checkpoint?)");
  // The record sits at the end, followed by a comment of at most 65535 bytes.
  const std::uint64_t last = bytes.size() - kEndRecordSize;
  const std::uint64_t first = last > 0xFFFF ? last - 0xFFFF : 0;
  for (std::uint64_t pos = last + 1; pos-- > first;) {
    if (load_le<std::uint32_t>(bytes, pos, name) == kEndOfCentralDirSig &&
        pos + kEndRecordSize + load_le<std::uint16_t>(bytes, pos + 20, name) == bytes.size())
      return pos;
  }
  throw FormatError(name + ": no zip end-of-central-directory record (not a zip archive, or truncated)");
}

// Replaces 0xFFFF.. placeholders with values from the ZIP64 extended-information field.
void apply_zip64_extra(std::span<const std::uint8_t> extra, ZipEntry& entry, std::uint64_t& local_offset,
                       const std::string& what) {
  std::uint64_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const auto id = load_le<std::uint16_t>(extra, pos, what);
    const auto len = load_le<std::uint16_t>(extra, pos + 2, what);
    require_range(extra, pos + 4, len, what + " extra field");
    if (id == 0x0001) {
      std::uint64_t field = pos + 4;
      const std::uint64_t end = field + len;
      auto take = [&](std::uint64_t& value) {
        if (field + 8 > end) throw FormatError(what + ": ZIP64 extra field too short");
        value = load_le<std::uint64_t>(extra, field, what);
        field += 8;
      };
      if (entry.size == 0xFFFFFFFFu) take(entry.size);
      if (entry.compressed_size == 0xFFFFFFFFu) take(entry.compressed_size);
      if (local_offset == 0xFFFFFFFFu) take(local_offset);
      return;
    }
    pos += 4 + len;
  }
}

}  // namespace

ZipArchive::ZipArchive(std::span<const std::uint8_t> bytes, std::string name) : bytes_(bytes), name_(std::move(name)) {
  const std::uint64_t end = find_end_record(bytes, name_);
  std::uint64_t count = load_le<std::uint16_t>(bytes, end + 10, name_);
  std::uint64_t dir_size = load_le<std::uint32_t>(bytes, end + 12, name_);
  std::uint64_t dir_offset = load_le<std::uint32_t>(bytes, end + 16, name_);
  if (count == 0xFFFF || dir_size == 0xFFFFFFFFu || dir_offset == 0xFFFFFFFFu) {
    if (end < 20 || load_le<std::uint32_t>(bytes, end - 20, name_) != kZip64LocatorSig)
      throw FormatError(name_ + ": zip needs ZIP64 records but the ZIP64 locator is missing");
    const auto record = load_le<std::uint64_t>(bytes, end - 20 + 8, name_);
    if (load_le<std::uint32_t>(bytes, record, name_) != kZip64EndSig)
      throw FormatError(name_ + ": bad ZIP64 end-of-central-directory signature at offset " + std::to_string(record));
    count = load_le<std::uint64_t>(bytes, record + 32, name_);
    dir_size = load_le<std::uint64_t>(bytes, record + 40, name_);
    dir_offset = load_le<std::uint64_t>(bytes, record + 48, name_);
  }
  require_range(bytes, dir_offset, dir_size, name_ + ": central directory");
  // Each central entry takes at least 46 bytes: a larger count is a lie.
  if (count > dir_size / 46)
    throw FormatError(name_ + ": central directory claims " + std::to_string(count) + " entries in " +
                      std::to_string(dir_size) + " bytes");
  entries_.reserve(count);
  std::uint64_t pos = dir_offset;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::string what = name_ + ": central directory entry " + std::to_string(i);
    if (load_le<std::uint32_t>(bytes, pos, what) != kCentralEntrySig)
      throw FormatError(what + ": bad signature at offset " + std::to_string(pos));
    ZipEntry entry;
    const auto flags = load_le<std::uint16_t>(bytes, pos + 8, what);
    entry.method = load_le<std::uint16_t>(bytes, pos + 10, what);
    entry.crc32 = load_le<std::uint32_t>(bytes, pos + 16, what);
    entry.compressed_size = load_le<std::uint32_t>(bytes, pos + 20, what);
    entry.size = load_le<std::uint32_t>(bytes, pos + 24, what);
    const auto name_len = load_le<std::uint16_t>(bytes, pos + 28, what);
    const auto extra_len = load_le<std::uint16_t>(bytes, pos + 30, what);
    const auto comment_len = load_le<std::uint16_t>(bytes, pos + 32, what);
    std::uint64_t local = load_le<std::uint32_t>(bytes, pos + 42, what);
    require_range(bytes, pos + 46, std::uint64_t{name_len} + extra_len + comment_len, what);
    entry.name.assign(reinterpret_cast<const char*>(bytes.data() + pos + 46), name_len);
    apply_zip64_extra(bytes.subspan(pos + 46 + name_len, extra_len), entry, local, what);
    if (flags & 0x1) throw FormatError(name_ + ": entry " + entry.name + " is encrypted");
    if (entry.method != 0 && entry.method != 8)
      throw FormatError(name_ + ": entry " + entry.name + " uses compression method " + std::to_string(entry.method) +
                        ", expected 0 (stored) or 8 (deflate)");
    const std::string local_what = name_ + ": local header of " + entry.name;
    if (load_le<std::uint32_t>(bytes, local, local_what) != kLocalHeaderSig)
      throw FormatError(local_what + ": bad signature at offset " + std::to_string(local));
    const auto local_name_len = load_le<std::uint16_t>(bytes, local + 26, local_what);
    const auto local_extra_len = load_le<std::uint16_t>(bytes, local + 28, local_what);
    entry.data_offset = local + 30 + local_name_len + local_extra_len;
    require_range(bytes, entry.data_offset, entry.compressed_size, name_ + ": data of " + entry.name);
    if (entry.method == 0 && entry.compressed_size != entry.size)
      throw FormatError(name_ + ": stored entry " + entry.name + " has compressed size " +
                        std::to_string(entry.compressed_size) + " but size " + std::to_string(entry.size));
    // Deflate output is at most ~1032 times its input: a larger claimed size is a lie.
    if (entry.method == 8 && entry.size / 1032 > entry.compressed_size + 1)
      throw FormatError(name_ + ": entry " + entry.name + " claims " + std::to_string(entry.size) + " bytes from " +
                        std::to_string(entry.compressed_size) + " compressed, beyond deflate's 1032:1 ratio");
    entries_.push_back(std::move(entry));
    pos += 46 + std::uint64_t{name_len} + extra_len + comment_len;
  }
}

const ZipEntry* ZipArchive::find(const std::string& entry_name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const ZipEntry& e) { return e.name == entry_name; });
  return it == entries_.end() ? nullptr : &*it;
}

std::vector<std::uint8_t> ZipArchive::read(const ZipEntry& entry, std::uint64_t max_bytes) const {
  if (entry.size > max_bytes)
    throw FormatError(name_ + ": entry " + entry.name + " claims " + std::to_string(entry.size) +
                      " bytes, more than the " + std::to_string(max_bytes) + " expected");
  const std::uint8_t* src = bytes_.data() + entry.data_offset;
  std::vector<std::uint8_t> out;
  if (entry.method == 0) {
    out.assign(src, src + entry.size);
  } else {
    // The buffer starts at a few times the compressed size and doubles as output arrives, so a
    // claimed size that the data does not back is never allocated.
    out.resize(std::min<std::uint64_t>(entry.size, 4 * entry.compressed_size + 4096));
    z_stream stream{};
    if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) throw FormatError(name_ + ": zlib inflateInit2 failed");
    std::uint64_t in_done = 0, out_done = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
      if (out_done == out.size() && out.size() < entry.size)
        out.resize(std::min<std::uint64_t>(entry.size, 2 * out.size()));
      const auto in_chunk = std::min<std::uint64_t>(entry.compressed_size - in_done, 1u << 30);
      const auto out_chunk = std::min<std::uint64_t>(out.size() - out_done, 1u << 30);
      stream.next_in = const_cast<Bytef*>(src + in_done);
      stream.avail_in = static_cast<uInt>(in_chunk);
      stream.next_out = out.data() + out_done;
      stream.avail_out = static_cast<uInt>(out_chunk);
      rc = inflate(&stream, Z_NO_FLUSH);
      in_done += in_chunk - stream.avail_in;
      out_done += out_chunk - stream.avail_out;
      if (rc == Z_OK && stream.avail_in == in_chunk && stream.avail_out == out_chunk) rc = Z_BUF_ERROR;
    }
    inflateEnd(&stream);
    if (rc != Z_STREAM_END || out_done != entry.size)
      throw FormatError(name_ + ": entry " + entry.name + " fails to inflate (zlib code " + std::to_string(rc) + ", " +
                        std::to_string(out_done) + " of " + std::to_string(entry.size) + " bytes)");
    out.resize(out_done);
  }
  std::uint64_t crc = crc32(0L, Z_NULL, 0);
  for (std::uint64_t done = 0; done < out.size();) {
    const auto chunk = std::min<std::uint64_t>(out.size() - done, 1u << 30);
    crc = crc32(crc, out.data() + done, static_cast<uInt>(chunk));
    done += chunk;
  }
  if (crc != entry.crc32) throw FormatError(name_ + ": entry " + entry.name + " fails its CRC-32 check (corrupt file)");
  return out;
}

}  // namespace veil::io
