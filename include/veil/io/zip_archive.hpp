#pragma once
// Read-only view of a zip archive held in memory: the central directory is parsed
// and checked against the buffer; entries are STORED or DEFLATE, ZIP64 supported.
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
  /// Uncompressed bytes of an entry, CRC-checked. Throws FormatError.
  std::vector<std::uint8_t> read(const ZipEntry& entry) const;
  const std::string& name() const { return name_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::string name_;
  std::vector<ZipEntry> entries_;
};

}  // namespace veil::io
