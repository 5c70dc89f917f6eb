// client_spec.json: a parse that succeeds is the one form the writer gives (parse checks it).
#include "fuzz_loader.hpp"
#include "veil/client/client_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return veil::fuzz::load_or_refuse([&] {
    const std::string text = veil::fuzz::text_of(data, size);
    if (veil::client::client_spec_json(veil::client::parse_client_spec(text)) != text) {
      std::fprintf(stderr, "a client spec parsed from text the writer would not give\n");
      std::abort();
    }
  });
}
