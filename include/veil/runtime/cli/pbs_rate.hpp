#pragma once
// A short calibration of this machine's PBS throughput on one parameter set, for the time
// estimate printed before an FHE run (PBS dominate a run: each costs a blind rotation).
#include <cstddef>
#include <cstdint>

#include "veil/fhe/backend.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::runtime::cli {

struct PbsRate {
  std::uint64_t pbs = 0;
  double seconds = 0;
  double per_second() const { return seconds > 0 ? static_cast<double>(pbs) / seconds : 0.0; }
};

/// PBS in the calibration batch: 8 per thread for each of 2 rounds, so every thread is busy
/// and the batch is large enough to hide its start.
std::size_t calibration_pbs_count(std::size_t threads);

/// Times one batch of `count` PBS (random ciphertexts, one shared table of the key's
/// precision) on `backend`, after a warm-up batch of count / 8 (at least 1) PBS.
PbsRate measure_pbs_rate(const fhe::ServerKey& key, fhe::Backend& backend, std::size_t count, fhe::Csprng& rng);

}  // namespace veil::runtime::cli
