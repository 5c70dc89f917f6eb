#pragma once
// Messages of p bits under one padding bit: plaintext = code * Δ with Δ = 2^(63 - p).
// Unsigned messages are the code itself (0..2^p - 1); signed ones are two's complement in
// p bits (-2^(p-1)..2^(p-1) - 1). Decoding rounds the phase to the nearest multiple of Δ.
#include <cstdint>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

enum class Signedness { unsigned_code, twos_complement };

/// Δ = 2^(63 - p). Throws InvalidArgument unless 1 <= p <= 62.
Torus delta_for_precision(int precision_bits);

/// message * Δ with the message reduced to its p-bit code. Throws InvalidArgument if the
/// message does not fit p bits of the given signedness.
Torus encode_message(std::int64_t message, int precision_bits, Signedness signedness);

/// The p-bit code nearest to phase / Δ (the padding bit is ignored), read with `signedness`.
std::int64_t decode_message(Torus phase, int precision_bits, Signedness signedness);

}  // namespace veil::fhe
