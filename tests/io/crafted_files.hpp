#pragma once
// Hostile inputs built byte by byte in the tests: zip archives (stored or deflated entries,
// with the option to lie about an entry's size) and the pickle of a one-tensor state_dict.
// Small on purpose: each crafted case of issue 14 is a few hundred bytes to a few KB.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <gtest/gtest.h>

#include "common/memory_limit.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace veil::io::testing {

using Bytes = std::vector<std::uint8_t>;

inline void put_le(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

inline Bytes raw_deflate(const Bytes& data) {
  z_stream stream{};
  deflateInit2(&stream, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  Bytes out(deflateBound(&stream, data.size()));
  stream.next_in = const_cast<Bytef*>(data.data());
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

struct CraftedEntry {
  std::string name;
  Bytes data;
  bool deflate = false;
  std::optional<std::uint64_t> claimed_size;  // the lie: a size other than data.size()
  std::optional<Bytes> compressed;            // deflated bytes as given (deflate only), not data's
  bool zip64_size = false;                    // the size goes into a ZIP64 extra field
};

inline CraftedEntry stored(std::string name, Bytes data) {
  CraftedEntry e;
  e.name = std::move(name);
  e.data = std::move(data);
  return e;
}

inline CraftedEntry deflated(std::string name, Bytes data) {
  CraftedEntry e = stored(std::move(name), std::move(data));
  e.deflate = true;
  return e;
}

// A zip archive (no data descriptors, no comment) as a one-entry-at-a-time writer would make.
inline Bytes make_zip(const std::vector<CraftedEntry>& entries) {
  Bytes out, directory;
  for (const auto& e : entries) {
    const Bytes stored = e.deflate ? e.compressed.value_or(raw_deflate(e.data)) : e.data;
    const std::uint64_t size = e.claimed_size.value_or(e.data.size());
    const auto crc = static_cast<std::uint32_t>(crc32(0L, e.data.data(), static_cast<uInt>(e.data.size())));
    const std::uint64_t local = out.size();
    Bytes extra;
    if (e.zip64_size) {
      put_le(extra, 0x0001, 2);
      put_le(extra, 8, 2);
      put_le(extra, size, 8);
    }
    const std::uint32_t size32 = e.zip64_size ? 0xFFFFFFFFu : static_cast<std::uint32_t>(size);
    put_le(out, 0x04034b50, 4);
    put_le(out, 20, 2);
    put_le(out, 0, 2);
    put_le(out, e.deflate ? 8 : 0, 2);
    put_le(out, 0, 4);  // time, date
    put_le(out, crc, 4);
    put_le(out, stored.size(), 4);
    put_le(out, size32, 4);
    put_le(out, e.name.size(), 2);
    put_le(out, 0, 2);
    out.insert(out.end(), e.name.begin(), e.name.end());
    out.insert(out.end(), stored.begin(), stored.end());

    put_le(directory, 0x02014b50, 4);
    put_le(directory, 20, 2);
    put_le(directory, 20, 2);
    put_le(directory, 0, 2);
    put_le(directory, e.deflate ? 8 : 0, 2);
    put_le(directory, 0, 4);
    put_le(directory, crc, 4);
    put_le(directory, stored.size(), 4);
    put_le(directory, size32, 4);
    put_le(directory, e.name.size(), 2);
    put_le(directory, extra.size(), 2);
    put_le(directory, 0, 2);  // comment
    put_le(directory, 0, 2);  // disk
    put_le(directory, 0, 2);  // internal attributes
    put_le(directory, 0, 4);  // external attributes
    put_le(directory, local, 4);
    directory.insert(directory.end(), e.name.begin(), e.name.end());
    directory.insert(directory.end(), extra.begin(), extra.end());
  }
  const std::uint64_t directory_offset = out.size();
  out.insert(out.end(), directory.begin(), directory.end());
  put_le(out, 0x06054b50, 4);
  put_le(out, 0, 4);
  put_le(out, entries.size(), 2);
  put_le(out, entries.size(), 2);
  put_le(out, directory.size(), 4);
  put_le(out, directory_offset, 4);
  put_le(out, 0, 2);
  return out;
}

// Pickle opcodes (protocol 2) for the state_dict {"w": tensor}, the tensor a view of storage
// "0" (float32, `numel` elements) at `offset` with `size` and `stride`.
class PickleWriter {
 public:
  Bytes bytes{0x80, 0x02};
  void op(char c) { bytes.push_back(static_cast<std::uint8_t>(c)); }
  void global(const std::string& module, const std::string& name) {
    op('c');
    text(module + "\n" + name + "\n");
  }
  void string(const std::string& s) {
    op('X');
    put_le(bytes, s.size(), 4);
    text(s);
  }
  void integer(std::int64_t v) {  // LONG1 of 8 bytes: any int64
    bytes.push_back(0x8a);
    bytes.push_back(8);
    put_le(bytes, static_cast<std::uint64_t>(v), 8);
  }
  void int_tuple(const std::vector<std::int64_t>& values) {
    op('(');
    for (const auto v : values) integer(v);
    op('t');
  }

 private:
  void text(const std::string& s) { bytes.insert(bytes.end(), s.begin(), s.end()); }
};

inline Bytes one_tensor_pickle(std::int64_t numel, std::int64_t offset, const std::vector<std::int64_t>& size,
                               const std::vector<std::int64_t>& stride) {
  PickleWriter p;
  p.global("collections", "OrderedDict");
  p.op(')');
  p.op('R');
  p.string("w");
  p.global("torch._utils", "_rebuild_tensor_v2");
  p.op('(');
  p.op('(');
  p.string("storage");
  p.global("torch", "FloatStorage");
  p.string("0");
  p.string("cpu");
  p.integer(numel);
  p.op('t');
  p.op('Q');
  p.integer(offset);
  p.int_tuple(size);
  p.int_tuple(stride);
  p.bytes.push_back(0x89);  // requires_grad False
  p.op('}');                // backward hooks
  p.op('t');
  p.op('R');
  p.op('s');
  p.op('.');
  return p.bytes;
}

// A torch.save-style archive around `pickle` with float32 storage "0" holding `storage`.
inline Bytes make_checkpoint(const Bytes& pickle, const std::vector<float>& storage, bool deflate_pickle = false) {
  Bytes raw(storage.size() * 4);
  for (std::size_t i = 0; i < storage.size(); ++i) {
    std::uint32_t bits;
    static_assert(sizeof bits == sizeof(float));
    std::memcpy(&bits, &storage[i], 4);
    for (int b = 0; b < 4; ++b) raw[4 * i + b] = static_cast<std::uint8_t>(bits >> (8 * b));
  }
  return make_zip({deflate_pickle ? deflated("archive/data.pkl", pickle) : stored("archive/data.pkl", pickle),
                   stored("archive/byteorder", Bytes{'l', 'i', 't', 't', 'l', 'e'}), stored("archive/data/0", raw)});
}

using veil::testing::exit_code_under_memory_limit;

}  // namespace veil::io::testing
