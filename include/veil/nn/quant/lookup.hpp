#pragma once
// Semantics of one PBS: the index read from an accumulator, the negacyclic wrap, and the
// table entries. The integer executor, the simulator and the FHE compiler all call these,
// so the tables the compiler programs are the ones the executor evaluated.
#include <cstdint>
#include <vector>

#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::nn::quant {

/// floor((acc + 2^(shift-1)) / 2^shift) + offset (shift == 0: acc + offset).
std::int64_t lookup_index(std::int64_t acc, int shift, std::int64_t offset);

/// table[c][index] for index in [0, 2^bits): the function of LookupFunction.
std::int64_t lookup_entry(const LookupAttrs& lookup, std::int64_t channel, std::int64_t index);

/// The PBS output for any index (negacyclic outside [0, 2^bits), see LookupAttrs).
std::int64_t lookup_read(const LookupAttrs& lookup, std::int64_t channel, std::int64_t index);

/// The 2^bits entries of channel c's table (bits <= 24; InvalidArgument otherwise).
void make_lookup_table(const LookupAttrs& lookup, std::int64_t channel, std::vector<std::int64_t>& table);

/// Number of distinct tables: 1 when the function is per tensor, else the channel count.
std::int64_t lookup_table_count(const LookupAttrs& lookup);

}  // namespace veil::nn::quant
