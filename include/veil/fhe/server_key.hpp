#pragma once
// The public evaluation keys: everything a server needs to run key switching and
// programmable bootstrapping, and nothing secret.
#include "veil/fhe/bootstrap_key.hpp"
#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/parameters.hpp"

namespace veil::fhe {

/// Values of one set's evaluation keys as a server holds them (the expanded key files store the
/// same): the bootstrapping key's doubles, n GGSWs of (k+1)*l rows of (k+1) polynomials of N
/// (Fourier domain), and the key-switching key's torus values, k*N inputs x l_ks levels x (n+1).
std::size_t bootstrap_key_words(const ParameterSet& params);
std::size_t keyswitch_key_words(const ParameterSet& params);
/// Both keys' bytes (for statistics and key budgets).
std::size_t server_key_bytes(const ParameterSet& params);

class ServerKey {
 public:
  ServerKey() = default;
  ServerKey(ParameterSet params, FourierBootstrapKey bootstrap_key, KeyswitchKey keyswitch_key)
      : params_(std::move(params)),
        bootstrap_key_(std::move(bootstrap_key)),
        keyswitch_key_(std::move(keyswitch_key)) {}

  const ParameterSet& parameters() const { return params_; }
  const std::string& parameter_set_name() const { return params_.name; }
  const FourierBootstrapKey& bootstrap_key() const { return bootstrap_key_; }
  const KeyswitchKey& keyswitch_key() const { return keyswitch_key_; }

 private:
  ParameterSet params_;
  FourierBootstrapKey bootstrap_key_;
  KeyswitchKey keyswitch_key_;
};

}  // namespace veil::fhe
