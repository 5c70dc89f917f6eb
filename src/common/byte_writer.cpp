#include "veil/common/byte_writer.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <ostream>
#include <string>

#include "veil/common/error.hpp"
#include "veil/common/little_endian.hpp"

namespace veil {

void ByteWriter::raw(const void* data, std::size_t size, bool hashed) {
  if (size == 0) return;
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  out_.write(reinterpret_cast<const char*>(bytes), static_cast<std::streamsize>(size));
  if (!out_) {
    throw IoError("serialize: writing " + std::to_string(size) + " bytes at offset " + std::to_string(offset_) +
                  " failed (disk full or stream closed?)");
  }
  if (hashed) hash_.update({bytes, size});
  offset_ += size;
}

void ByteWriter::u8(std::uint8_t value) { raw(&value, 1); }

void ByteWriter::u16(std::uint16_t value) {
  const std::array<std::uint8_t, 2> le{static_cast<std::uint8_t>(value), static_cast<std::uint8_t>(value >> 8)};
  raw(le.data(), le.size());
}

void ByteWriter::u32(std::uint32_t value) {
  std::array<std::uint8_t, 4> le{};
  for (int i = 0; i < 4; ++i) le[i] = static_cast<std::uint8_t>(value >> (8 * i));
  raw(le.data(), le.size());
}

void ByteWriter::u64(std::uint64_t value) {
  std::array<std::uint8_t, 8> le{};
  store_le64(value, le.data());
  raw(le.data(), le.size());
}

void ByteWriter::f64(double value) { u64(std::bit_cast<std::uint64_t>(value)); }

void ByteWriter::bytes(std::span<const std::uint8_t> data) { raw(data.data(), data.size()); }

void ByteWriter::string(std::string_view text) { raw(text.data(), text.size()); }

template <class Word>
void ByteWriter::word_array(std::span<const Word> values) {
  static_assert(sizeof(Word) == 8);
  if constexpr (std::endian::native == std::endian::little) {
    raw(values.data(), values.size_bytes());
  } else {
    std::array<std::uint8_t, 8 * 1024> chunk{};
    for (std::size_t i = 0; i < values.size(); i += 1024) {
      const std::size_t count = std::min<std::size_t>(1024, values.size() - i);
      for (std::size_t j = 0; j < count; ++j) store_le64(std::bit_cast<std::uint64_t>(values[i + j]), &chunk[8 * j]);
      raw(chunk.data(), 8 * count);
    }
  }
}

void ByteWriter::u64_array(std::span<const std::uint64_t> values) { word_array(values); }
void ByteWriter::i64_array(std::span<const std::int64_t> values) { word_array(values); }
void ByteWriter::f64_array(std::span<const double> values) { word_array(values); }

void ByteWriter::checksum() {
  const Sha256Digest digest = hash_.digest();
  raw(digest.data(), digest.size(), /*hashed=*/false);
}

}  // namespace veil
