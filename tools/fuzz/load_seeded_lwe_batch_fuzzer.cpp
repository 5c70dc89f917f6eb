#include "fuzz_loader.hpp"
#include "veil/fhe/seeded_lwe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace veil::fhe;
  return veil::fuzz::fuzz_one_input(
      data, size, [](std::istream& in) { return load_seeded_lwe_batch(in, veil::fuzz::kFuzzLimits); },
      [](const SeededLweBatch& batch, std::ostream& out) { save_seeded_lwe_batch(batch, out); });
}
