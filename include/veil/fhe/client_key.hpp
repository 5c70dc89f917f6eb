#pragma once
// The client's secrets: the small LWE key, the GLWE key (whose flattening is the big LWE
// key) and the parameter set they were made for. Server code links against ServerKey only.
#include <span>

#include "veil/fhe/parameters.hpp"
#include "veil/fhe/secret_keys.hpp"

namespace veil::fhe {

class ClientKey {
 public:
  ClientKey() = default;
  ClientKey(ParameterSet params, LweSecretKey small_key, GlweSecretKey glwe_key)
      : params_(std::move(params)), small_key_(std::move(small_key)), glwe_key_(std::move(glwe_key)) {}

  const ParameterSet& parameters() const { return params_; }
  /// Key of PBS inputs after key switching (dimension n).
  const LweSecretKey& small_key() const { return small_key_; }
  /// Key of the blind rotation accumulator; flattened, the key of PBS outputs (dimension k*N).
  const GlweSecretKey& glwe_key() const { return glwe_key_; }

 private:
  ParameterSet params_;
  LweSecretKey small_key_;
  GlweSecretKey glwe_key_;
};

/// The first of a program's partition keys with the largest k·N: under nested keys
/// (docs/parameters.md) its GLWE key holds every other's as a prefix. InvalidArgument if empty.
const ClientKey& widest_partition_key(std::span<const ClientKey> partitions);

/// Throws InvalidArgument naming the partition whose GLWE key is not a prefix of the widest
/// partition's (a key made apart from the others: make_partition_client_key makes them nested).
void require_nested_partition_keys(std::span<const ClientKey> partitions);

}  // namespace veil::fhe
