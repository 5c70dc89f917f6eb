#pragma once
// A test backend that evaluates each PBS in the clear from the input's exact phase (it holds
// the client key): modulus switch of the phase, then the table's negacyclic entry, written as a
// trivial ciphertext. No blind rotation and no noise, so large circuits run in seconds: the
// server's row streaming and encodings are checked against the integer executor at sizes real
// PBS would make slow. Exact for lookups without rounding (shift 0), whose phases sit at box
// centres; tests/runtime/clear_pbs_backend_test.cpp checks it against the CPU backend. Linear
// batches run on the CPU backend.
#include <algorithm>
#include <string_view>

#include "veil/common/error.hpp"
#include "veil/fhe/backend.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/lwe_encryption.hpp"
#include "veil/fhe/modulus_switch.hpp"
#include "runtime/runtime_test_support.hpp"

namespace veil::runtime::testing {

class ClearPbsBackend final : public fhe::Backend {
 public:
  explicit ClearPbsBackend(const fhe::ClientKey& client) : client_(client) {}

  std::string_view name() const override { return "clear-pbs (tests)"; }

  void programmable_bootstrap_batch(const fhe::ServerKey&, const fhe::LweCiphertextArray& inputs,
                                    std::span<const fhe::LookupTable* const> tables,
                                    fhe::LweCiphertextArray& outputs) override {
    if (outputs.size() != inputs.size() || (tables.size() != 1 && tables.size() != inputs.size())) {
      throw InvalidArgument("clear PBS: batch sizes disagree");
    }
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const fhe::LookupTable& table = *tables[tables.size() == 1 ? 0 : i];
      const std::size_t n = table.polynomial_size().value;
      const fhe::Torus m = fhe::modulus_switch_value(fhe::decrypt_phase(client_, inputs[i]), table.polynomial_size());
      const fhe::Torus value = m < n ? table.polynomial()[m] : fhe::Torus{0} - table.polynomial()[m - n];
      const fhe::LweView out = outputs[i];
      std::fill(out.begin(), out.end(), fhe::Torus{0});
      out.back() = value;
    }
  }

  void keyswitch_batch(const fhe::KeyswitchKey&, const fhe::LweCiphertextArray&, fhe::LweCiphertextArray&) override {
    throw InvalidArgument("clear PBS: no key switching");
  }

  /// The CPU backend's, on the suite's pool.
  void linear_batch(const fhe::LinearBatch& batch, fhe::LweCiphertextArray& outputs) override {
    fhe::linear_batch(batch, outputs, test_pool());
  }

 private:
  const fhe::ClientKey& client_;
};

}  // namespace veil::runtime::testing
