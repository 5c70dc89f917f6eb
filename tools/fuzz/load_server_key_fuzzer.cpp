#include "fuzz_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace veil::fhe;
  // The format version (bytes 8-9, little-endian) picks the form that re-saves to the same bytes:
  // compressed keys for version 3, expanded ones otherwise (load_server_key reads every version).
  if (size >= 10 && (data[8] | data[9] << 8) == kCompressedServerKeyFormatVersion) {
    return veil::fuzz::fuzz_one_input(
        data, size, [](std::istream& in) { return load_compressed_server_key(in, veil::fuzz::kFuzzLimits); },
        [](const IdentifiedCompressedServerKey& key, std::ostream& out) { save_server_key(key, out); });
  }
  return veil::fuzz::fuzz_one_input(
      data, size, [](std::istream& in) { return load_server_key(in, veil::fuzz::kFuzzLimits); },
      [](const IdentifiedServerKey& key, std::ostream& out) { save_server_key(key.key, key.key_id, out); });
}
