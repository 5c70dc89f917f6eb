#pragma once
// Private to the parameter registry: the published tables it derives vetted sets from.
#include <optional>
#include <span>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe::params {

/// One row of the Concrete optimizer's v0 table (decompositions: level count, then base log).
struct V0Row {
  int precision;   // PBS precision p the row was optimised for (message bits, no padding)
  int log2_norm2;  // L = ceil(log2 ‖w‖₂)
  int k;           // GLWE dimension
  int log2_N;      // log2 of the polynomial size
  int n;           // LWE dimension
  int br_l, br_b;  // PBS decomposition: levels, base log
  int ks_l, ks_b;  // key-switch decomposition: levels, base log
  int cost;        // the optimizer's complexity estimate (relative units)
  double p_error;  // the table's own failure probability at `precision` (two digits)
};

/// Every row of v0_last_128 (precision 1..10, L from 0 to the last solvable one).
std::span<const V0Row> v0_last_128_rows();

/// The row (precision, log2_norm2), if the table has it.
std::optional<V0Row> find_v0_last_128_row(int precision, int log2_norm2);

/// A row as a parameter set at its own precision and norm: the lattice fields, and σ for n and k·N
/// at the 128-bit curve's minimum (the table gives none). Name, source and target are left empty.
ParameterSet v0_row_parameter_set(const V0Row& row);

/// A TFHE-rs shortint set copied field by field, with the figures its source states.
struct TfheRsRow {
  const char* name;    // the TFHE-rs constant's name
  const char* source;  // repository, file, commit
  int message_bits;    // log2(message modulus · carry modulus): the PBS precision
  int n, k, N;
  double lwe_std_dev, glwe_std_dev;
  int pbs_base_log, pbs_level, ks_base_log, ks_level;
  int max_norm2;              // ν, the 2-norm the set was sized for
  double stated_log2_p_fail;  // TFHE-rs' own figure
  int cost;                   // "algorithmic cost ~" from the source (same units as V0Row::cost)
};

/// The TFHE-rs Gaussian KS-PBS sets veil vets (section 5 of docs/parameters.md).
std::span<const TfheRsRow> tfhe_rs_rows();

}  // namespace veil::fhe::params
