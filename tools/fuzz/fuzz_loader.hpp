#pragma once
// The body shared by every loader fuzzer: load the input; a veil::Error is the expected
// outcome for almost every input, anything else escapes and libFuzzer reports it (crashes,
// sanitizer findings, std::bad_alloc, other exception types). An input that loads must
// save back to exactly the bytes it was read from: the formats have one encoding per object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <sstream>
#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fhe::fuzz {

// Bounds what a hostile header can make a loader allocate, far above any fuzz input.
inline constexpr LoadLimits kFuzzLimits{.max_payload_bytes = std::uint64_t{1} << 26};

template <class Load, class Save>
int fuzz_one_input(const std::uint8_t* data, std::size_t size, Load load, Save save) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input, std::ios::binary);
  try {
    const auto object = load(in);
    const std::streamoff consumed = in.tellg();
    std::ostringstream out(std::ios::binary);
    save(object, out);
    if (out.str() != input.substr(0, static_cast<std::size_t>(consumed))) {
      std::fprintf(stderr, "re-saving a loaded object gave different bytes\n");
      std::abort();
    }
  } catch (const Error&) {
    // Rejected cleanly: the expected outcome.
  }
  return 0;
}

}  // namespace veil::fhe::fuzz
