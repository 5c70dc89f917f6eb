#pragma once
// The CPU backend's linear_batch: every group's outputs in slices of up to 64 that share their
// input slices (multi_dot_product), on all threads of the pool.
#include "veil/common/thread_pool.hpp"
#include "veil/fhe/linear_batch.hpp"

namespace veil::fhe::cpu {

/// `batch` into `outputs`; the caller has checked it (check_linear_batch, which returns the
/// input count).
void linear_batch(const LinearBatch& batch, std::size_t inputs, LweCiphertextArray& outputs, ThreadPool& pool);

}  // namespace veil::fhe::cpu
