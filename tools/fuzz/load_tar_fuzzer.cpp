// The tar reader on its own, as any caller uses it: every member in turn, the data of each read,
// then the first member read again by offset.
#include <vector>

#include "fuzz_loader.hpp"
#include "veil/io/tar_archive.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(veil::fuzz::text_of(data, size), std::ios::binary);
  return veil::fuzz::load_or_refuse([&] {
    veil::io::TarReader tar(in, "fuzz.tar");
    veil::io::TarMember member, first;
    std::vector<std::uint8_t> bytes;
    for (int i = 0; tar.next(member); ++i) {
      if (i == 0) first = member;
      if (member.regular) tar.read_data(bytes);
    }
    if (first.regular) tar.read_at(first.data_offset, first.size, bytes);
  });
}
