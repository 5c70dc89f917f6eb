#pragma once
// Server keys resident on the device: uploaded once, found again by the host key's address,
// shape and a fingerprint of its contents (a new key allocated at a freed key's address is
// not mistaken for it). The cache keeps the most recently used few of each kind.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "fhe/cuda/device_buffer.hpp"
#include "fhe/cuda/device_steps.hpp"
#include "veil/fhe/bootstrap_key.hpp"
#include "veil/fhe/keyswitch_key.hpp"

namespace veil::fhe::cuda {

struct KeyIdentity {
  const void* address = nullptr;
  std::vector<std::size_t> shape;
  std::uint64_t fingerprint = 0;
  bool operator==(const KeyIdentity&) const = default;
};

/// The bootstrapping key's layout on the device: for the cuFFT path (natural order) or for the
/// fused kernel (the CPU FFT's bit-reversed order, fused_pbs.hpp).
enum class BootstrapKeyLayout { cufft, fused };

/// The PBS shape of a host bootstrapping key.
PbsShape pbs_shape_of(const FourierBootstrapKey& key);

KeyIdentity identity_of(const FourierBootstrapKey& key, BootstrapKeyLayout layout);
KeyIdentity identity_of(const KeyswitchKey& key);

struct DeviceBootstrapKey {
  KeyIdentity identity;
  PbsShape shape;  // n, k, N and the PBS decomposition
  BootstrapKeyLayout layout;
  DeviceBuffer<Complex> ggsws;    // n GGSWs: row r -> output component c -> N/2 points, in `layout`'s order
  DeviceBuffer<Complex> twist;    // w^q = exp(i*pi*q/N), q < N/2
  DeviceBuffer<Complex> untwist;  // w^q / (N/2)
  DeviceBuffer<Complex> stage;    // fused layout only: the CPU FFT's stage twiddles (N/2 values)
};

struct DeviceKeyswitchKey {
  KeyIdentity identity;
  KeyswitchShape shape;
  DeviceBuffer<Torus> rows;  // the host layout: input coefficient i -> level j -> n_out+1 values
};

/// Copies to the current device; the bootstrapping key is laid out as `layout` says (fourier_layout.hpp).
std::unique_ptr<DeviceBootstrapKey> upload(const FourierBootstrapKey& key, BootstrapKeyLayout layout);
std::unique_ptr<DeviceKeyswitchKey> upload(const KeyswitchKey& key);

/// The most recently used `capacity` device keys of one kind.
template <class DeviceKey>
class DeviceKeyCache {
 public:
  explicit DeviceKeyCache(std::size_t capacity) : capacity_(capacity) {}

  /// The device copy of `host` (made by upload(host, how...)), uploaded unless cached; evicts the
  /// least recently used first.
  template <class HostKey, class... How>
  const DeviceKey& get(const HostKey& host, How... how) {
    const KeyIdentity identity = identity_of(host, how...);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i]->identity == identity) {
        std::rotate(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i),
                    entries_.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        return *entries_.front();
      }
    }
    while (entries_.size() >= capacity_) entries_.pop_back();  // free device memory before the upload
    entries_.insert(entries_.begin(), upload(host, how...));
    entries_.front()->identity = identity;
    return *entries_.front();
  }

 private:
  std::size_t capacity_;
  std::vector<std::unique_ptr<DeviceKey>> entries_;  // most recently used first
};

}  // namespace veil::fhe::cuda
