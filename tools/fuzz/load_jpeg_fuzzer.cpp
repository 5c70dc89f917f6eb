#include "fuzz_loader.hpp"
#include "veil/io/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  veil::io::Image image;
  return veil::fuzz::load_or_refuse(
      [&] { veil::io::decode_jpeg(veil::fuzz::bytes_of(data, size), "fuzz.jpg", image); });
}
