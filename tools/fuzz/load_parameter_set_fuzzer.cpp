#include "fuzz_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace veil::fhe;
  return veil::fuzz::fuzz_one_input(
      data, size, [](std::istream& in) { return load_parameter_set(in, veil::fuzz::kFuzzLimits); },
      [](const ParameterSet& params, std::ostream& out) { save_parameter_set(params, out); });
}
