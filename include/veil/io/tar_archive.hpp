#pragma once
// Streaming reader and writer for POSIX tar (ustar, pax and GNU long names), as
// webdataset shards use. Members are read one by one; nothing is unpacked to disk.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <span>
#include <string>
#include <vector>

namespace veil::io {

struct TarMember {
  std::string name;
  std::uint64_t size = 0;
  std::uint64_t data_offset = 0;  // from the start of the stream
  bool regular = true;            // false for directories, links and other special members
};

class TarReader {
 public:
  /// Reads from `in` (which must outlive the reader); `name` appears in errors.
  TarReader(std::istream& in, std::string name);

  /// Advances to the next member (pax and GNU long-name records are applied, not
  /// returned); the previous member's data is skipped if it was not read. Returns
  /// false at the end of the archive. Throws FormatError on a bad checksum, a
  /// malformed field or truncation.
  bool next(TarMember& out);

  /// Reads the data of the member last returned by next(), allocating as it arrives (a size
  /// the archive does not back is never allocated). Throws FormatError when the archive ends early.
  void read_data(std::vector<std::uint8_t>& out);

  /// Reads `size` bytes at `offset` (a data_offset from an earlier pass).
  void read_at(std::uint64_t offset, std::uint64_t size, std::vector<std::uint8_t>& out);

 private:
  void read_exact(std::vector<std::uint8_t>& out, std::uint64_t size, const char* what);
  void skip(std::uint64_t size);

  std::istream& in_;
  std::string name_;
  std::uint64_t position_ = 0;
  std::uint64_t pending_data_ = 0;  // unread data bytes of the current member, padding included
  std::uint64_t current_size_ = 0;
  bool data_read_ = true;
};

class TarWriter {
 public:
  /// Creates or truncates `path`. Throws IoError.
  explicit TarWriter(const std::filesystem::path& path);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  /// Appends a regular file; names over 100 bytes get a GNU long-name record.
  /// Throws InvalidArgument for an empty name, IoError on write failure.
  void add(const std::string& name, std::span<const std::uint8_t> data);

  /// Writes the two end-of-archive blocks and closes. Throws IoError.
  void finish();

 private:
  void write_header(const std::string& name, std::uint64_t size, char type);
  void write_padded(std::span<const std::uint8_t> data);

  std::filesystem::path path_;
  std::ofstream out_;
  bool finished_ = false;
};

}  // namespace veil::io
