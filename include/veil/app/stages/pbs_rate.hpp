#pragma once
// A short calibration of this machine's PBS throughput on one parameter set, for the time
// estimate printed before an FHE run (PBS dominate a run: each costs a blind rotation).
#include <cstddef>
#include <cstdint>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::app {

struct PbsRate {
  std::uint64_t pbs = 0;
  double seconds = 0;
  double per_second() const { return seconds > 0 ? static_cast<double>(pbs) / seconds : 0.0; }
};

/// PBS in the calibration batch: 4 groups of 16 (the CPU backend's key-sharing group) per
/// thread, so that every thread stays busy and the uneven end of the batch weighs little
/// (with one group per thread the rate read ~6% below the server's sustained one).
std::size_t calibration_pbs_count(std::size_t threads);

/// Times one batch of `count` PBS (random ciphertexts, one shared table of the key's
/// precision) on `backend`, after a warm-up batch of count / 8 (at least 1) PBS.
PbsRate measure_pbs_rate(const fhe::ServerKey& key, fhe::Backend& backend, std::size_t count, fhe::Csprng& rng);

}  // namespace veil::app
