#include "fuzz_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace veil::fhe;
  return veil::fuzz::fuzz_one_input(
      data, size, [](std::istream& in) { return load_ciphertext_batch(in, veil::fuzz::kFuzzLimits); },
      [](const CiphertextBatch& batch, std::ostream& out) { save_ciphertext_batch(batch, out); });
}
