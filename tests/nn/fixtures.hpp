#pragma once
// Test data made by tests/reference/make_nn_fixtures.py (seed and generator named there)
// and small random tensors, read with a tiny raw-float reader of the suite's own.
#include <cstdint>
#include <random>
#include <string>

#include "veil/common/tensor.hpp"

namespace veil::nn::testing {

/// Folder of the Python fixtures (<build>/test-artifacts/nn).
std::string artifacts_dir();
/// ../shared/data beside the repository.
std::string shared_data_dir();
bool file_exists(const std::string& path);

/// Reads raw little-endian float32 values into a tensor of the given shape.
Tensor read_f32(const std::string& path, const Shape& shape);

/// Reads resnet18_synthetic.tensors (header lines "name ndim dims...", "END", then data).
StateDict read_raw_state_dict(const std::string& path);

/// Uniform values in [lo, hi) from a seeded engine.
Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f);

/// max|a - b| / max|b|: the relative error used throughout the nn tests.
double relative_error(const float* a, const float* b, std::size_t n);

}  // namespace veil::nn::testing

// Skips the current test when a fixture file is absent (e.g. no shared data folder).
#define VEIL_REQUIRE_FILE(path)                                                                             \
  do {                                                                                                      \
    if (!::veil::nn::testing::file_exists(path))                                                            \
      GTEST_SKIP() << "missing " << (path) << " (run the nn_fixtures CTest fixture / make_nn_fixtures.py)"; \
  } while (0)
