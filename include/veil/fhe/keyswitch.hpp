#pragma once
// LWE key switching from the big key (k*N) to the small key (n) with the balanced
// gadget decomposition: out = (0, b) - sum_i sum_j d_j(a_i) * KSK[i][j].
#include <cstddef>
#include <span>

#include "veil/fhe/keyswitch_key.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"

namespace veil::fhe {

/// Throws InvalidArgument unless in has the key's input dimension and out its output dimension.
/// Thread-safe (reads the key only); does not allocate.
void keyswitch(const KeyswitchKey& key, LweConstView in, LweView out);

/// Bytes of scratch keyswitch_group needs for `count` ciphertexts.
std::size_t keyswitch_group_scratch_size(const KeyswitchKey& key, std::size_t count);

/// keyswitch(key, in[g], out[g]) for every g, with each key row read once for the whole group:
/// a single key switch streams the whole key from memory (64 MB for the 6-bit sets), a group
/// shares that stream. Results equal keyswitch() bit for bit. Same checks; does not allocate.
void keyswitch_group(const KeyswitchKey& key, std::span<const LweConstView> in, std::span<const LweView> out,
                     std::span<std::byte> scratch);

}  // namespace veil::fhe
