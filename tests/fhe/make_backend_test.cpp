#include <gtest/gtest.h>

#include <string>

#include "veil/common/error.hpp"
#include "veil/fhe/cuda_backend.hpp"
#include "veil/fhe/make_backend.hpp"

namespace veil::fhe {
namespace {

TEST(MakeBackend, CpuAlwaysAndCudaOnlyWhereOneRuns) {
  ThreadPool pool(1);
  EXPECT_EQ(make_backend(BackendKind::cpu, pool)->name(), make_cpu_backend(pool)->name());
  if (cuda_backend_available()) {
    EXPECT_NE(make_backend(BackendKind::cuda, pool), nullptr);
  } else {
    EXPECT_THROW(make_backend(BackendKind::cuda, pool), InvalidArgument);
  }
}

}  // namespace
}  // namespace veil::fhe
