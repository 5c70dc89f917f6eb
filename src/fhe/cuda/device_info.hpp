#pragma once
// A CUDA device in one line, for the reports of programs that run on it.
#include <string>

namespace veil::fhe::cuda {

/// "device 0: NVIDIA H200, compute capability 9.0, 132 multiprocessors, 139.8 GiB (139.2 GiB free)".
/// Throws veil::Error when the device cannot be queried.
std::string describe_device(int device);

}  // namespace veil::fhe::cuda
