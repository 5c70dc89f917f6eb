#pragma once
// LWE key switching from the big key (k*N) to the small key (n) with the balanced
// gadget decomposition: out = (0, b) - sum_i sum_j d_j(a_i) * KSK[i][j].
#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// Throws InvalidArgument unless in has the key's input dimension and out its output dimension.
/// Thread-safe (reads the key only); does not allocate.
void keyswitch(const KeyswitchKey& key, LweConstView in, LweView out);

}  // namespace veil::fhe
