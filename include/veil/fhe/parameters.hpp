#pragma once
// A TFHE parameter set: immutable, cited data. The engine builds keys only for sets
// that pass the security gate (see params/security.hpp) unless the set is marked
// insecure_for_tests, which is visible at every call site that uses one.
#include <cstdint>
#include <string>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

/// Distribution of the LWE/GLWE noise. Only centred Gaussians for now (the v0 tables).
struct NoiseDistribution {
  double std_dev = 0;  // on the torus scale [0,1): the integer std dev is std_dev * 2^64
};

/// How the PBS rounds its key-switched input to Z/2N before the blind rotation.
enum class ModulusSwitchKind : std::uint8_t {
  /// round(x·2N/q) for every value: Concrete's model and the vetted tables' (V_MS ∝ 1/12 + n/24).
  Standard,
  /// The body also takes half the mask's rounding errors, Σ(round(a_i·2N/q)·q/2N − a_i)/2, which
  /// the server knows: the switch's error becomes Σ r_i·(s_i − 1/2), half the variance for a
  /// binary key (V_MS ∝ 1/12 + n/48; docs/parameters.md, "Centred modulus switch").
  CenteredMean,
};

struct ParameterSet {
  std::string name;    // unique id, also stored in serialized keys and ciphertexts
  std::string source;  // citation: repository, file, commit, row

  int security_bits = 128;
  /// PBS input precision p in bits, padding bit not counted. Encodings use Δ = 2^(63-p).
  int precision_bits = 0;
  /// log2 of ‖w‖₂ bound the set was sized for (the "L" column of the v0 tables):
  /// the 2-norm of the integer weights of the dot product feeding each PBS.
  int log2_norm2 = 0;
  /// The per-PBS failure probability this set targets at precision_bits and norm 2^log2_norm2.
  double target_p_error = 0;

  LweDimension lwe_dimension;      // n
  GlweDimension glwe_dimension;    // k
  PolynomialSize polynomial_size;  // N
  NoiseDistribution lwe_noise;     // key-switching key / small-key encryptions
  NoiseDistribution glwe_noise;    // bootstrapping key / big-key encryptions
  DecompositionBaseLog pbs_base_log;
  DecompositionLevelCount pbs_level;
  DecompositionBaseLog ks_base_log;
  DecompositionLevelCount ks_level;
  /// Part of the set: the noise model and the p_error it promises assume this switch.
  ModulusSwitchKind modulus_switch_kind = ModulusSwitchKind::Standard;

  /// Toy sets for fast tests. Key generation refuses them unless the caller passes
  /// AllowInsecure::for_tests explicitly.
  bool insecure_for_tests = false;

  LweDimension big_lwe_dimension() const { return flattened_lwe_dimension(glwe_dimension, polynomial_size); }
};

}  // namespace veil::fhe
