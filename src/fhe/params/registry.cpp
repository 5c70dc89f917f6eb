// Builds the registry: vetted sets derived from the published tables (docs/parameters.md,
// "Moving a row"), the TFHE-rs sets, and the insecure toy sets for tests.
#include "fhe/params/registry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "fhe/params/v0_table.hpp"
#include "veil/fhe/noise_model.hpp"
#include "veil/fhe/parameter_sets.hpp"

namespace veil::fhe::params {
namespace {

constexpr const char* kV0Source = "zama-ai/concrete compilers/concrete-optimizer/v0-parameters/ref/v0_last_128 "
                                  "@040e152451ffacb7577e18a96f3766e79f27fb2a";

/// Row precision used for a PBS at `precision_bits` bits: one bit less precise (t/σ halves,
/// p_error <= erfc(√2) ≈ 0.0455) for the loose target, one more for the tight one (<= 2^-49).
/// Row 0 does not exist, so 1-bit loose uses row 1 (p_error ≈ 6e-5, tighter than asked).
int source_precision(int precision_bits, ErrorTarget target) {
  if (target == ErrorTarget::tight) return precision_bits + 1;
  return precision_bits == 1 ? 1 : precision_bits - 1;
}

std::string target_suffix(ErrorTarget target) { return target == ErrorTarget::loose ? "pe0.05" : "pe2m40"; }

std::string target_description(ErrorTarget target) {
  return target == ErrorTarget::loose ? "p_error <= 0.05" : "p_error <= 2^-40";
}

/// p_error at the set's own precision and at the largest norm it was sized for, 2^L.
double model_p_error(const ParameterSet& set) {
  return noise::pbs_p_error(set, set.precision_bits, std::exp2(set.log2_norm2));
}

ParameterSet make_v0_set(const V0Row& row, int precision_bits, ErrorTarget target) {
  ParameterSet set = v0_row_parameter_set(row);
  set.name =
      "v0_128_p" + std::to_string(precision_bits) + "_L" + std::to_string(row.log2_norm2) + "_" + target_suffix(target);
  set.source = std::string(kV0Source) + ", row (precision " + std::to_string(row.precision) + ", L " +
               std::to_string(row.log2_norm2) + ") used at " + std::to_string(precision_bits) + " bits for " +
               target_description(target) + "; σ = 128-bit curve minimum for n and k·N";
  set.precision_bits = precision_bits;
  set.target_p_error = model_p_error(set);
  return set;
}

std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

ParameterSet make_tfhe_rs_set(const TfheRsRow& row) {
  ParameterSet set;
  set.name = "tfhe_rs_" + lower_case(row.name);
  set.source = std::string(row.source) + ", " + row.name + " (stated log2 p_fail " +
               std::to_string(row.stated_log2_p_fail) + " at 2-norm " + std::to_string(row.max_norm2) + ")";
  set.security_bits = 128;
  set.precision_bits = row.message_bits;
  // The largest power of two within the set's ν, so that log2_norm2 keeps its meaning (‖w‖₂ <= 2^L).
  set.log2_norm2 = static_cast<int>(std::floor(std::log2(row.max_norm2)));
  set.lwe_dimension = LweDimension(static_cast<std::size_t>(row.n));
  set.glwe_dimension = GlweDimension(static_cast<std::size_t>(row.k));
  set.polynomial_size = PolynomialSize(static_cast<std::size_t>(row.N));
  set.lwe_noise.std_dev = row.lwe_std_dev;
  set.glwe_noise.std_dev = row.glwe_std_dev;
  set.pbs_base_log = DecompositionBaseLog(static_cast<std::size_t>(row.pbs_base_log));
  set.pbs_level = DecompositionLevelCount(static_cast<std::size_t>(row.pbs_level));
  set.ks_base_log = DecompositionBaseLog(static_cast<std::size_t>(row.ks_base_log));
  set.ks_level = DecompositionLevelCount(static_cast<std::size_t>(row.ks_level));
  set.target_p_error = model_p_error(set);
  return set;
}

// Toy sets: n = 256, k = 1, N = 2^max(9, p+6), tiny key noise, deep decompositions, so that the
// modulus switch dominates and a PBS at p bits after a dot product of 2-norm 4 fails with
// probability below 2^-40 under the noise model (tests/fhe/params_toy_sets_test.cpp checks it).
constexpr std::size_t kToyLweDimension = 256;
constexpr int kToyMinLog2PolynomialSize = 9;
constexpr int kToyLog2PolynomialSizeAbovePrecision = 6;
constexpr int kToyLog2Norm2 = 2;

// Variants of the 6-bit toy with smaller n share its k, N and GLWE noise (one GLWE secret): the
// partitions of the runtime's multi-parameter tests.
constexpr std::size_t kToyPartitionLweDimensions[] = {224, 192};
constexpr int kToyPartitionPrecision = 6;

// The full-size check's toy (scripts/check-full-size.sh): the whole 224 x 224 network in minutes
// needs small ciphertexts above all (its 1.8 G multiply-adds each touch k*N + 1 words) and a
// short blind rotation, so n = 8 and N = 1024 (the smallest N at which 6 bits stays below
// 2^-40 at 2-norm 16 with this n), read on 6 bits at most.
constexpr std::size_t kFullSizeToyLweDimension = 8;
constexpr int kFullSizeToyLog2PolynomialSize = 10;
constexpr int kFullSizeToyPrecision = 6;

int toy_log2_polynomial_size(int precision_bits) {
  return std::max(kToyMinLog2PolynomialSize, precision_bits + kToyLog2PolynomialSizeAbovePrecision);
}

ParameterSet make_toy_set(int precision_bits, std::size_t lwe_dimension = kToyLweDimension, int log2_N = -1) {
  if (log2_N < 0) log2_N = toy_log2_polynomial_size(precision_bits);
  ParameterSet set;
  set.name = "insecure_toy_p" + std::to_string(precision_bits);
  if (lwe_dimension != kToyLweDimension) set.name += "_n" + std::to_string(lwe_dimension);
  if (log2_N != toy_log2_polynomial_size(precision_bits)) set.name += "_N" + std::to_string(std::size_t{1} << log2_N);
  set.source =
      "veil test-only set (INSECURE: n = " + std::to_string(lwe_dimension) + ", σ far below the security curve)";
  set.security_bits = 0;
  set.precision_bits = precision_bits;
  set.log2_norm2 = kToyLog2Norm2;
  set.lwe_dimension = LweDimension(lwe_dimension);
  set.glwe_dimension = GlweDimension(1);
  set.polynomial_size = PolynomialSize(std::size_t{1} << log2_N);
  set.lwe_noise.std_dev = std::exp2(-30);
  set.glwe_noise.std_dev = std::exp2(-50);
  set.pbs_base_log = DecompositionBaseLog(10);
  set.pbs_level = DecompositionLevelCount(3);
  set.ks_base_log = DecompositionBaseLog(4);
  set.ks_level = DecompositionLevelCount(5);
  set.insecure_for_tests = true;
  set.target_p_error = model_p_error(set);
  return set;
}

Registry build_registry() {
  Registry registry;
  for (int p = kMinPrecisionBits; p <= kMaxPrecisionBits; ++p) {
    for (ErrorTarget target : {ErrorTarget::loose, ErrorTarget::tight}) {
      for (int L = 0; L <= kMaxLog2Norm2; ++L) {
        const auto row = find_v0_last_128_row(source_precision(p, target), L);
        if (!row) continue;
        registry.vetted.push_back(make_v0_set(*row, p, target));
        registry.vetted_costs.push_back(row->cost);
      }
    }
  }
  for (const TfheRsRow& row : tfhe_rs_rows()) {
    registry.vetted.push_back(make_tfhe_rs_set(row));
    registry.vetted_costs.push_back(row.cost);
  }
  for (int p = kMinPrecisionBits; p <= kMaxPrecisionBits; ++p) registry.toys.push_back(make_toy_set(p));
  for (std::size_t n : kToyPartitionLweDimensions) registry.toys.push_back(make_toy_set(kToyPartitionPrecision, n));
  registry.toys.push_back(
      make_toy_set(kFullSizeToyPrecision, kFullSizeToyLweDimension, kFullSizeToyLog2PolynomialSize));
  return registry;
}

}  // namespace

const ParameterSet* Registry::find(std::string_view name) const {
  for (const ParameterSet& set : vetted) {
    if (set.name == name) return &set;
  }
  for (const ParameterSet& set : toys) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

const Registry& registry() {
  static const Registry instance = build_registry();
  return instance;
}

}  // namespace veil::fhe::params
