// ZipArchive against archives built in the test: sizes in the directory are claims, checked
// against the buffer, deflate's ratio and the caller's limit; every corruption is an Error.
#include <gtest/gtest.h>

#include "crafted_files.hpp"
#include "veil/common/error.hpp"
#include "veil/io/zip_archive.hpp"

namespace veil::io {
namespace {

using testing::Bytes;
using testing::CraftedEntry;
using testing::deflated;
using testing::make_zip;
using testing::stored;

Bytes counting_bytes(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(i * 7 / 5);
  return out;
}

Bytes two_entry_zip() {
  return make_zip({stored("a/stored", counting_bytes(300)), deflated("a/deflated", counting_bytes(5000))});
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(ZipArchive, ReadsStoredAndDeflatedEntries) {
  const Bytes file = two_entry_zip();
  const ZipArchive zip(file, "two.zip");
  ASSERT_EQ(zip.entries().size(), 2u);
  EXPECT_EQ(zip.read(*zip.find("a/stored"), 300), counting_bytes(300));
  EXPECT_EQ(zip.read(*zip.find("a/deflated"), 5000), counting_bytes(5000));
}

TEST(ZipArchive, EntryLargerThanTheCallerExpectsIsRefusedNamingBoth) {
  const Bytes file = two_entry_zip();
  const ZipArchive zip(file, "two.zip");
  const std::string what = error_of([&] { zip.read(*zip.find("a/deflated"), 4999); });
  EXPECT_NE(what.find("claims 5000 bytes, more than the 4999 expected"), std::string::npos) << what;
}

TEST(ZipArchive, Zip64SizeBeyondDeflatesRatioIsRefusedWhenListed) {
  // 41 GB claimed from a few KB: no deflate stream can expand that far.
  CraftedEntry entry = deflated("big", counting_bytes(5000));
  entry.claimed_size = std::uint64_t{41} << 30;
  entry.zip64_size = true;
  const Bytes file = make_zip({entry});
  const std::string what = error_of([&] { ZipArchive zip(file, "big.zip"); });
  EXPECT_NE(what.find("beyond deflate's 1032:1 ratio"), std::string::npos) << what;
}

TEST(ZipArchive, DeflatedEntryShorterThanClaimedIsRefused) {
  CraftedEntry entry = deflated("short", counting_bytes(5000));
  entry.claimed_size = 6000;
  const Bytes file = make_zip({entry});
  const ZipArchive zip(file, "short.zip");
  const std::string what = error_of([&] { zip.read(zip.entries()[0], 1 << 20); });
  EXPECT_NE(what.find("5000 of 6000 bytes"), std::string::npos) << what;
}

// Fuzz-style: every truncation, and every byte flipped, either fails with a veil::Error or
// reads the original entries back (a flipped byte in a field nobody checks).
void expect_error_or_original(const Bytes& bytes, const std::string& label) {
  try {
    const ZipArchive zip(bytes, label);
    for (const auto& entry : zip.entries()) {
      const auto data = zip.read(entry, 1 << 20);
      if (entry.name == "a/stored") {
        EXPECT_EQ(data, counting_bytes(300)) << label;
      } else if (entry.name == "a/deflated") {
        EXPECT_EQ(data, counting_bytes(5000)) << label;
      }
    }
  } catch (const Error&) {
  }
}

TEST(ZipArchive, TruncationsAndFlippedBytesNeverCrash) {
  const Bytes original = two_entry_zip();
  for (std::size_t size = 0; size < original.size(); ++size)
    EXPECT_THROW(ZipArchive(std::span(original.data(), size), "cut"), FormatError) << size;
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (const std::uint8_t mask : {0x01, 0x80, 0xFF}) {
      Bytes bytes = original;
      bytes[i] ^= mask;
      expect_error_or_original(bytes, "byte " + std::to_string(i) + " ^ " + std::to_string(mask));
    }
  }
}

}  // namespace
}  // namespace veil::io
