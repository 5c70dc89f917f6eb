#include "fhe/cuda/device_keys.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "fhe/cpu/negacyclic_fft.hpp"
#include "fhe/cuda/fourier_layout.hpp"
#include "veil/fhe/decomposition.hpp"

namespace veil::fhe::cuda {

namespace {

constexpr std::size_t kFingerprintSamples = 256;
constexpr std::size_t kUploadGgsws = 16;  // GGSWs reordered per host-to-device copy

/// FNV-1a over about kFingerprintSamples values spread over the key, and its last value.
template <class T>
std::uint64_t fingerprint(std::span<const T> data) {
  static_assert(sizeof(T) == sizeof(std::uint64_t));
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  const auto mix = [&hash](const T& value) {
    std::uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    hash = (hash ^ bits) * 0x100000001b3ULL;
  };
  const std::size_t step = std::max<std::size_t>(1, data.size() / kFingerprintSamples);
  for (std::size_t i = 0; i < data.size(); i += step) mix(data[i]);
  if (!data.empty()) mix(data.back());
  return hash;
}

}  // namespace

PbsShape pbs_shape_of(const FourierBootstrapKey& key) {
  return PbsShape{
      static_cast<std::uint32_t>(key.input_lwe_dimension().value),
      static_cast<std::uint32_t>(key.glwe_dimension().value), static_cast<std::uint32_t>(key.polynomial_size().value),
      static_cast<std::uint32_t>(key.base_log().value), static_cast<std::uint32_t>(key.level_count().value)};
}

KeyIdentity identity_of(const FourierBootstrapKey& key, BootstrapKeyLayout layout) {
  return KeyIdentity{&key,
                     {key.input_lwe_dimension().value, key.glwe_dimension().value, key.polynomial_size().value,
                      key.base_log().value, key.level_count().value, static_cast<std::size_t>(layout)},
                     fingerprint(key.data())};
}

KeyIdentity identity_of(const KeyswitchKey& key) {
  return KeyIdentity{&key,
                     {key.input_lwe_dimension().value, key.output_lwe_dimension().value, key.base_log().value,
                      key.level_count().value},
                     fingerprint(key.data())};
}

std::unique_ptr<DeviceBootstrapKey> upload(const FourierBootstrapKey& key, BootstrapKeyLayout layout) {
  SignedDecomposer(key.base_log(), key.level_count());  // throws for a decomposition the kernels cannot run
  auto device = std::make_unique<DeviceBootstrapKey>();
  device->layout = layout;
  PbsShape& s = device->shape;
  s = pbs_shape_of(key);
  const std::size_t half = s.half();
  const std::size_t polynomials = s.ggsw_complex() / half;  // per GGSW: rows x (k+1)
  device->ggsws.reserve(s.n * s.ggsw_complex());
  std::vector<Complex> staging(std::min<std::size_t>(s.n, kUploadGgsws) * s.ggsw_complex());
  for (std::size_t first = 0; first < s.n; first += kUploadGgsws) {
    const std::size_t count = std::min<std::size_t>(kUploadGgsws, s.n - first);
    const double* cpu = key.ggsw(first).data();  // GGSWs are contiguous, polynomial after polynomial
    for (std::size_t p = 0; p < count * polynomials; ++p) {
      if (layout == BootstrapKeyLayout::fused) {
        to_fused_order(cpu + p * s.N, half, staging.data() + p * half);
      } else {
        to_natural_order(cpu + p * s.N, half, staging.data() + p * half);
      }
    }
    check(cudaMemcpy(device->ggsws.data() + first * s.ggsw_complex(), staging.data(),
                     count * s.ggsw_complex() * sizeof(Complex), cudaMemcpyHostToDevice),
          "cudaMemcpy of the bootstrapping key");
  }
  const NegacyclicFft::Tables& tables = NegacyclicFft::for_size(key.polynomial_size()).tables();
  std::vector<Complex> twist(half), untwist(half);
  for (std::size_t q = 0; q < half; ++q) {
    twist[q] = Complex{tables.twist_re[q], tables.twist_im[q]};
    untwist[q] = Complex{tables.untwist_re[q], tables.untwist_im[q]};
  }
  device->twist.assign(twist.data(), half);
  device->untwist.assign(untwist.data(), half);
  if (layout == BootstrapKeyLayout::fused) {
    std::vector<Complex> stage(half);
    for (std::size_t i = 0; i < half; ++i) stage[i] = Complex{tables.stage_re[i], tables.stage_im[i]};
    device->stage.assign(stage.data(), half);
  }
  return device;
}

std::unique_ptr<DeviceKeyswitchKey> upload(const KeyswitchKey& key) {
  SignedDecomposer(key.base_log(), key.level_count());  // throws for a decomposition the kernels cannot run
  auto device = std::make_unique<DeviceKeyswitchKey>();
  device->shape = KeyswitchShape{static_cast<std::uint32_t>(key.input_lwe_dimension().value),
                                 static_cast<std::uint32_t>(key.output_lwe_dimension().value),
                                 static_cast<std::uint32_t>(key.base_log().value),
                                 static_cast<std::uint32_t>(key.level_count().value)};
  device->rows.assign(key.data().data(), key.data().size());
  return device;
}

}  // namespace veil::fhe::cuda
