#pragma once
// The lookup tables a program's PBS sites apply, as the engine's test polynomials. Entries
// come from nn::quant::lookup_entry, so the FHE tables are the integer executor's tables.
#include <vector>

#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/lookup_table.hpp"

namespace veil::compiler {

/// The tables of a PBS site: one per channel when the node's function is per channel, else
/// one. Entry i of channel c is lookup_entry(attrs, c, i) * 2^site.output_exponent, on
/// site.precision_bits bits, for the program's polynomial size.
std::vector<fhe::LookupTable> make_pbs_tables(const FheProgram& program, const PbsSite& site);

}  // namespace veil::compiler
