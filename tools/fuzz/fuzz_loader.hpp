#pragma once
// The bodies shared by the loader fuzzers. A veil::Error is the expected outcome for almost every
// input; anything else escapes and libFuzzer reports it (crashes, sanitizer findings,
// std::bad_alloc, other exception types).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include <string_view>

#include <unistd.h>

#include "veil/common/error.hpp"
#include "veil/fhe/serialize.hpp"

namespace veil::fuzz {

// Bounds what a hostile header can make an fhe loader allocate, far above any fuzz input. Toy
// sets pass the security gate: the seeds are toy-set files (fast to make), and the gate has its
// own tests; refusing them here would stop every input at the parameter-set record.
inline constexpr fhe::LoadLimits kFuzzLimits{.max_payload_bytes = std::uint64_t{1} << 26,
                                             .allow = fhe::AllowInsecure::for_tests};

inline std::span<const std::uint8_t> bytes_of(const std::uint8_t* data, std::size_t size) { return {data, size}; }
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Runs `load`; a veil::Error is a clean refusal.
template <class Load>
int load_or_refuse(Load load) {
  try {
    load();
  } catch (const Error&) {
  }
  return 0;
}

/// For formats with one encoding per object: an input that loads must save back to exactly the
/// bytes it was read from (the bytes the loader consumed; the rest of the stream is not its).
template <class Load, class Save>
int fuzz_one_input(const std::uint8_t* data, std::size_t size, Load load, Save save) {
  const std::string input = text_of(data, size);
  std::istringstream in(input, std::ios::binary);
  return load_or_refuse([&] {
    const auto object = load(in);
    const std::streamoff consumed = in.tellg();
    std::ostringstream out(std::ios::binary);
    save(object, out);
    if (out.str() != input.substr(0, static_cast<std::size_t>(consumed))) {
      std::fprintf(stderr, "re-saving a loaded object gave different bytes\n");
      std::abort();
    }
  });
}

/// This process's scratch folder under TMPDIR, removed at exit.
inline const std::filesystem::path& scratch_folder() {
  static const struct Folder {
    std::filesystem::path path = std::filesystem::temp_directory_path() / ("veil-fuzz-" + std::to_string(::getpid()));
    Folder() { std::filesystem::create_directories(path); }
    ~Folder() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } folder;
  return folder.path;
}

/// Writes the input to `name` in the scratch folder and returns its path, for loaders that only
/// take paths. The file is rewritten for every input.
inline std::filesystem::path input_file(const std::uint8_t* data, std::size_t size, std::string_view name) {
  const std::filesystem::path path = scratch_folder() / name;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file || std::fwrite(data, 1, size, file) != size || std::fclose(file) != 0) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

}  // namespace veil::fuzz
