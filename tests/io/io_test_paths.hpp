#pragma once
// Where the io tests find reference data: the fixture script's output (made by
// tests/reference/make_io_fixtures.py through CTest) and the shared data folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace veil::io::testing {

inline std::filesystem::path artifacts_dir() { return std::filesystem::path(VEIL_TEST_ARTIFACTS_DIR) / "io"; }
inline std::filesystem::path shared_data_dir() { return std::filesystem::path(VEIL_SHARED_DATA_DIR); }

}  // namespace veil::io::testing

// Skips the test when a reference file is missing (fixture not run, or no shared data).
#define VEIL_REQUIRE_FILE(path)                                                            \
  do {                                                                                     \
    if (!std::filesystem::exists(path))                                                    \
      GTEST_SKIP() << (path).string() << " is absent: run the io_fixtures CTest fixture "  \
                   << "(tests/reference/make_io_fixtures.py) with ../shared/data present"; \
  } while (0)
