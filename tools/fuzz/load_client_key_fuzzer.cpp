#include "fuzz_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace veil::fhe;
  return veil::fuzz::fuzz_one_input(
      data, size, [](std::istream& in) { return load_client_key(in, veil::fuzz::kFuzzLimits); },
      [](const ClientKey& key, std::ostream& out) { save_client_key(key, out); });
}
