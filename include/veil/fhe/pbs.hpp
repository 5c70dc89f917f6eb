#pragma once
// Programmable bootstrapping: key switch (k*N -> n), modulus switch (-> Z/2N), blind
// rotation, sample extraction. Input and output are under the big key (k*N), so outputs
// feed linear operations and the next PBS directly.
#include <cstddef>
#include <span>

#include "veil/fhe/lookup_table.hpp"
#include "veil/fhe/lwe_ciphertext.hpp"
#include "veil/fhe/parameters.hpp"
#include "veil/fhe/server_key.hpp"

namespace veil::fhe {

/// Bytes of scratch one programmable_bootstrap call needs.
std::size_t pbs_scratch_size(const ParameterSet& params);

/// out = LWE encryption of table[x] where x is the p-bit code of `in`'s message.
/// Throws InvalidArgument if dimensions, the table's N or the scratch size disagree with the key.
/// Thread-safe with distinct scratch and outputs; does not allocate.
void programmable_bootstrap(const ServerKey& key, LweConstView in, const LookupTable& table, LweView out,
                            std::span<std::byte> scratch);

}  // namespace veil::fhe
