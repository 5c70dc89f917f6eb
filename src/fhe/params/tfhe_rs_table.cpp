// TFHE-rs shortint Gaussian KS-PBS sets (crate 1.7.0), every field copied from the source.
// The V1_6_* constants alias the V1_1_* ones (tfhe/src/shortint/parameters/v1_6/classic/
// gaussian/p_fail_2_minus_{40,64}/ks_pbs.rs, commits 6844f302 and 58f8db89); the values live in
// the v1_1 files cited per row. The lattice fields, σ, decompositions, ν, log2 p_fail and cost are
// exactly as published.
#include "fhe/params/v0_table.hpp"

namespace veil::fhe::params {
namespace {

constexpr const char* kSource2m40 =
    "zama-ai/tfhe-rs tfhe/src/shortint/parameters/v1_1/classic/gaussian/p_fail_2_minus_40/ks_pbs.rs "
    "@748d03949b5e19d746e5ac4526457b883d9921ce";
constexpr const char* kSource2m64 =
    "zama-ai/tfhe-rs tfhe/src/shortint/parameters/v1_1/classic/gaussian/p_fail_2_minus_64/ks_pbs.rs "
    "@6a00779d74052f0ec3d2da5916741655da63c47b";

constexpr TfheRsRow kRows[] = {
    {"V1_6_PARAM_MESSAGE_2_CARRY_2_KS_PBS_GAUSSIAN_2M40", kSource2m40, 4, 796, 1, 2048, 6.8462551852215656e-06,
     2.845267479601915e-15, 23, 1, 3, 5, 5, -40.489, 101},
    {"V1_6_PARAM_MESSAGE_4_CARRY_4_KS_PBS_GAUSSIAN_2M40", kSource2m40, 8, 1096, 1, 32768, 3.8683927681857106e-08,
     2.168404344971009e-19, 15, 2, 4, 5, 17, -40.107, 4095},
    {"V1_6_PARAM_MESSAGE_2_CARRY_2_KS_PBS_GAUSSIAN_2M64", kSource2m64, 4, 833, 1, 2048, 3.6158408373309336e-06,
     2.845267479601915e-15, 23, 1, 3, 5, 5, -64.014, 106},
    {"V1_6_PARAM_MESSAGE_4_CARRY_4_KS_PBS_GAUSSIAN_2M64", kSource2m64, 8, 1110, 1, 32768, 3.038278019865525e-08,
     2.168404344971009e-19, 11, 3, 2, 11, 17, -64.014, 5893},
};

}  // namespace

std::span<const TfheRsRow> tfhe_rs_rows() { return kRows; }

}  // namespace veil::fhe::params
