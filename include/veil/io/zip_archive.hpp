#pragma once
// Read-only view of a zip archive held in memory: the central directory is parsed
// and checked against the buffer; entries are STORED or DEFLATE, ZIP64 supported.
// Sizes in the directory are claims: a stored entry must lie inside the buffer, a deflated
// one may claim at most deflate's 1032:1 ratio, and reading needs the caller's own limit.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace veil::io {

struct ZipEntry {
  std::string name;
  std::uint16_t method = 0;  // 0 STORED, 8 DEFLATE
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t data_offset = 0;  // of the (compressed) bytes inside the archive
};

class ZipArchive {
 public:
  /// Parses the central directory. The bytes must outlive the archive.
  /// Throws FormatError naming `name` on a missing or inconsistent directory.
  ZipArchive(std::span<const std::uint8_t> bytes, std::string name);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  /// nullptr when absent.
  const ZipEntry* find(const std::string& entry_name) const;
  /// Uncompressed bytes of an entry, CRC-checked. `max_bytes` is what the caller expects at
  /// most: a larger claimed size is refused before anything is allocated, and deflated data
  /// is inflated into a buffer that grows with what actually comes out. Throws FormatError.
  std::vector<std::uint8_t> read(const ZipEntry& entry, std::uint64_t max_bytes) const;
  const std::string& name() const { return name_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string name_;
  std::vector<ZipEntry> entries_;
};

}  // namespace veil::io
