// compile_options.json, as `veil_fhe run` reads it beside model.qcir.
#include "fuzz_loader.hpp"
#include "veil/runtime/compile_options_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return veil::fuzz::load_or_refuse([&] { veil::runtime::parse_compile_options(veil::fuzz::text_of(data, size)); });
}
