#pragma once
// Copies of ciphertext arrays between nested keys as the 2-D copies and fills that
// cudaMemcpy2DAsync / cudaMemset2DAsync take (in values, not bytes): a PBS reads resident inputs
// under its own key, a prefix of theirs, and pads its outputs back to the resident arrays' key
// (nested_key_ciphertexts.hpp does the same on host arrays, with a check the device skips).
// Host-only arithmetic, so that the host tests check the plan the backend runs.
#include <algorithm>
#include <cstddef>

namespace veil::fhe::cuda {

/// `rows` rows of `width` values, from src + src_offset to dst + dst_offset, rows `src_pitch`
/// and `dst_pitch` values apart. With rows == 1 it is one contiguous copy.
struct StridedCopy {
  std::size_t dst_offset = 0, dst_pitch = 0, src_offset = 0, src_pitch = 0, width = 0, rows = 0;
};

/// What moves `count` ciphertexts of `src_stride` values (mask then body) into ciphertexts of
/// `dst_stride` values: the shared mask prefix and the body, and the zeroed mask values between
/// them where the destination is wider (`zero`: dst_offset, dst_pitch, width, rows; width 0 when
/// there are none).
struct CiphertextCopyPlan {
  StridedCopy copies[2];
  std::size_t copy_count = 0;
  StridedCopy zero;
};

inline CiphertextCopyPlan plan_ciphertext_copy(std::size_t count, std::size_t src_stride, std::size_t dst_stride) {
  CiphertextCopyPlan plan;
  if (count == 0) return plan;
  if (src_stride == dst_stride) {
    const std::size_t all = count * src_stride;
    plan.copies[plan.copy_count++] = {0, all, 0, all, all, 1};
    return plan;
  }
  const std::size_t mask = std::min(src_stride, dst_stride) - 1;
  plan.copies[plan.copy_count++] = {0, dst_stride, 0, src_stride, mask, count};
  plan.copies[plan.copy_count++] = {dst_stride - 1, dst_stride, src_stride - 1, src_stride, 1, count};
  if (dst_stride > src_stride) plan.zero = {mask, dst_stride, 0, 0, dst_stride - src_stride, count};
  return plan;
}

}  // namespace veil::fhe::cuda
