#include "veil/common/byte_reader.hpp"

#include <algorithm>
#include <bit>
#include <istream>

#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"

namespace veil {

namespace {
// Big arrays are read in chunks, so that a stream that ends early is reported as
// truncated at the right offset.
constexpr std::size_t kChunkBytes = std::size_t{1} << 20;
}  // namespace

ByteReader::ByteReader(std::istream& in, std::string what) : in_(in), what_(std::move(what)) {
  const std::istream::pos_type start = in_.tellg();
  if (start == std::istream::pos_type(-1)) return;
  in_.seekg(0, std::ios::end);
  const std::istream::pos_type end = in_.tellg();
  in_.clear();
  in_.seekg(start);
  if (end != std::istream::pos_type(-1) && end >= start && in_) {
    stream_end_ = static_cast<std::uint64_t>(end - start);
  }
}

std::optional<std::uint64_t> ByteReader::bytes_left_in_stream() const {
  if (!stream_end_) return std::nullopt;
  return *stream_end_ - std::min(*stream_end_, offset_);
}

std::optional<std::uint64_t> ByteReader::bytes_left() const {
  if (fence_) return *fence_ - std::min(*fence_, offset_);
  return bytes_left_in_stream();
}

void ByteReader::fail(const std::string& message) const {
  throw FormatError(what_ + ": " + message + " (at offset " + std::to_string(offset_) + ")");
}

void ByteReader::raw(void* out, std::size_t size, std::string_view field, bool hashed) {
  if (fence_ && size > *fence_ - std::min(*fence_, offset_)) {
    fail(std::string(field) + " needs " + std::to_string(size) +
         " bytes but the payload declared in the header ends at offset " + std::to_string(*fence_));
  }
  auto* bytes = static_cast<std::uint8_t*>(out);
  std::size_t done = 0;
  while (done < size) {
    const std::size_t want = std::min(kChunkBytes, size - done);
    in_.read(reinterpret_cast<char*>(bytes + done), static_cast<std::streamsize>(want));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (hashed) hash_.update({bytes + done, got});
    done += got;
    if (got < want) {
      if (in_.bad()) throw IoError(what_ + ": read error at offset " + std::to_string(offset_ + done));
      throw FormatError(what_ + ": truncated at offset " + std::to_string(offset_ + done) + ": " + std::string(field) +
                        " needs " + std::to_string(size) + " bytes from offset " + std::to_string(offset_) +
                        ", the stream ended after " + std::to_string(done));
    }
  }
  offset_ += size;
}

std::uint8_t ByteReader::u8(std::string_view field) {
  std::uint8_t value = 0;
  raw(&value, 1, field);
  return value;
}

std::uint16_t ByteReader::u16(std::string_view field) {
  std::uint8_t le[2];
  raw(le, 2, field);
  return static_cast<std::uint16_t>(le[0] | (le[1] << 8));
}

std::uint32_t ByteReader::u32(std::string_view field) {
  std::uint8_t le[4];
  raw(le, 4, field);
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= std::uint32_t{le[i]} << (8 * i);
  return value;
}

std::uint64_t ByteReader::u64(std::string_view field) {
  std::uint8_t le[8];
  raw(le, 8, field);
  return load_le64(le);
}

double ByteReader::f64(std::string_view field) { return std::bit_cast<double>(u64(field)); }

std::string ByteReader::string(std::size_t length, std::string_view field) {
  std::string value(length, '\0');
  raw(value.data(), length, field);
  return value;
}

void ByteReader::bytes(std::span<std::uint8_t> out, std::string_view field) { raw(out.data(), out.size(), field); }

void ByteReader::u64_array(std::span<std::uint64_t> out, std::string_view field) {
  raw(out.data(), out.size_bytes(), field);
  swap_words_on_big_endian_inplace({reinterpret_cast<std::uint8_t*>(out.data()), out.size_bytes()});
}

void ByteReader::f64_array(std::span<double> out, std::string_view field) {
  raw(out.data(), out.size_bytes(), field);
  swap_words_on_big_endian_inplace({reinterpret_cast<std::uint8_t*>(out.data()), out.size_bytes()});
}

template <class Word>
std::vector<Word> ByteReader::word_vector(std::uint64_t count, std::string_view field) {
  static_assert(sizeof(Word) == 8);
  std::vector<Word> values;
  while (values.size() < count) {
    const std::size_t before = values.size();
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes / 8, count - before));
    values.resize(before + want);
    const std::span<std::uint8_t> chunk(reinterpret_cast<std::uint8_t*>(values.data() + before), 8 * want);
    raw(chunk.data(), chunk.size(), field);
    swap_words_on_big_endian_inplace(chunk);
  }
  return values;
}

std::vector<std::int64_t> ByteReader::i64_vector(std::uint64_t count, std::string_view field) {
  return word_vector<std::int64_t>(count, field);
}

std::vector<double> ByteReader::f64_vector(std::uint64_t count, std::string_view field) {
  return word_vector<double>(count, field);
}

void ByteReader::require_fit(std::uint64_t count, std::uint64_t item_bytes, std::string_view field) const {
  const std::uint64_t left = bytes_left().value_or(0);
  if (item_bytes > 0 && count > left / item_bytes) {
    fail("size mismatch: " + std::string(field) + " declares " + std::to_string(count) + " items of at least " +
         std::to_string(item_bytes) + " bytes but only " + std::to_string(left) + " payload bytes are left");
  }
}

std::uint64_t ByteReader::count(std::string_view field, std::uint64_t item_bytes, std::uint64_t cap) {
  const std::uint64_t value = u64(field);
  if (value > cap)
    fail(std::string(field) + " " + std::to_string(value) + " exceeds the limit of " + std::to_string(cap));
  require_fit(value, item_bytes, field);
  return value;
}

void ByteReader::checksum() {
  const Sha256Digest expected = hash_.digest();
  Sha256Digest stored{};
  raw(stored.data(), stored.size(), "SHA-256 checksum", /*hashed=*/false);
  if (stored != expected)
    fail("checksum mismatch: the SHA-256 stored in the file differs from the hash of its contents");
}

}  // namespace veil
