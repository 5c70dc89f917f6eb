#pragma once
// The host side of the block model the kernels are written in (docs/cuda_backend.md, "The
// block emulator"). A kernel body is a sequence of phases separated by barriers; a phase is a
// function of (thread index, thread count) over shared memory. On the device (DeviceBlock in
// kernels.cu) each thread runs the phase for threadIdx.x, then __syncthreads(); here HostBlock
// runs it for every thread index in turn, shared memory being host arrays. Values a thread keeps
// across phases (accumulators) live in Block::Registers<T>: registers on the device, one T per
// thread index here. Anything else a thread computes must not outlive its phase.
#if !defined(__CUDA_ARCH__)
#include <vector>

namespace veil::fhe::cuda {

/// The host block emulator: runs a phase for every thread index, in increasing order or, with
/// `reverse`, decreasing (a phase whose result depends on the order has a race on the device).
struct HostBlock {
  unsigned threads;
  bool reverse = false;

  template <class T>
  class Registers {
   public:
    explicit Registers(unsigned threads) : values_(threads) {}
    T& operator()(unsigned tid) { return values_[tid]; }

   private:
    std::vector<T> values_;
  };

  unsigned size() const { return threads; }
  template <class Phase>
  void phase(Phase f) const {
    for (unsigned i = 0; i < threads; ++i) f(reverse ? threads - 1 - i : i, threads);
  }
};

}  // namespace veil::fhe::cuda
#endif
