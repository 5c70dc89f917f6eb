#pragma once
// Noise model of veil's TFHE pipeline: Concrete's Gaussian model (docs/parameters.md), which
// reproduces every row of the v0 parameter tables. Variances are on the torus scale [0,1)
// (an integer variance in Z/2^64 divided by 2^128). The model assumes what the engine does:
// uniform binary keys, Gaussian noise with the set's σ, balanced gadget decomposition, key switch
// from the big (k·N) key before the PBS, modulus switch round(x·2N/2^64), one padding bit and
// Δ = 2^(63-p). Every function is pure: it reads the ParameterSet fields and nothing else.
// Thread safety: all functions are safe to call concurrently.
#include <cstdint>
#include <span>

#include "veil/fhe/parameters.hpp"

namespace veil::fhe::noise {

/// How the external product multiplies polynomials. A 53-bit double FFT adds rounding noise
/// (the FFT term of the model); an exact product (NTT, or integer schoolbook) adds none.
enum class PolynomialProduct { double_fft, exact };

/// Variance of a fresh encryption with noise `noise`: σ².
double fresh_encryption_variance(const NoiseDistribution& noise);

/// ‖w‖₂² of integer weights.
double squared_norm2(std::span<const std::int64_t> weights);

/// Variance of Σ w_i·c_i for independent inputs of variance `input_variance`: ‖w‖₂²·V.
/// Throws InvalidArgument for a negative or non-finite variance.
double linear_combination_variance(std::span<const std::int64_t> weights, double input_variance);

/// Variance the 53-bit double FFT adds to one external product (0 for an exact product).
double fft_variance(const ParameterSet& params, PolynomialProduct product = PolynomialProduct::double_fft);

/// Variance one external product (CMux) adds: key noise, decomposition rounding, FFT.
double external_product_variance(const ParameterSet& params, PolynomialProduct product = PolynomialProduct::double_fft);

/// Variance of a blind rotation's output (hence of a PBS output, under the big key): n·V_EP.
/// It does not depend on the input noise.
double blind_rotation_variance(const ParameterSet& params, PolynomialProduct product = PolynomialProduct::double_fft);

/// Variance a key switch from the big key (dimension k·N) to the small key (n) adds.
double keyswitch_variance(const ParameterSet& params);

/// Variance the modulus switch from 2^64 to 2N adds, for an input of dimension n.
double modulus_switch_variance(const ParameterSet& params);

/// Variance of the phase the PBS reads in the pipeline: PBS outputs combined with integer weights
/// of 2-norm `norm2`, key switched, modulus switched: norm2²·V_BR + V_KS + V_MS.
/// Throws InvalidArgument for a negative or non-finite norm.
double pbs_input_variance(const ParameterSet& params, double norm2,
                          PolynomialProduct product = PolynomialProduct::double_fft);

/// Probability that noise of variance `variance` moves a p-bit value out of its slot:
/// erfc(t/√(2V)) with t = 2^-(p+2). Throws InvalidArgument for p outside 1..30 or a bad variance.
double p_error_from_variance(int precision_bits, double variance);

/// The largest variance whose p_error at `precision_bits` is at most `target_p_error`:
/// (t / (√2·erfc⁻¹(target)))². Throws InvalidArgument for p outside 1..30 or a target outside (0, 1).
double max_variance(int precision_bits, double target_p_error);

/// p_error of one PBS reading `precision_bits` bits after a dot product of 2-norm `norm2`.
double pbs_p_error(const ParameterSet& params, int precision_bits, double norm2,
                   PolynomialProduct product = PolynomialProduct::double_fft);

/// Probability that at least one of independent PBS fails: 1 − Π(1 − p_i).
/// Throws InvalidArgument for a probability outside [0, 1].
double circuit_p_error(std::span<const double> p_errors);

/// Where a wrong read lands. The noise is a centred Gaussian, so each sign has half of each
/// figure: a read is v+1 with probability off_by_one/2 and v−1 likewise (to first order
/// off_by_one ≈ p_error), v±2 with off_by_two/2 each. Ignores wrap-around at the edges of the
/// message space (which the padding bit keeps away from valid inputs).
struct WrongReadProbabilities {
  double off_by_one = 0;  // P(|error| in [t, 3t))
  double off_by_two = 0;  // P(|error| in [3t, 5t))
};
WrongReadProbabilities wrong_read_probabilities(int precision_bits, double variance);

/// The largest 2-norm of the dot-product weights for which a PBS at `precision_bits` on `params`
/// still meets `target_p_error` (0 when even the key switch and modulus switch alone exceed it).
/// Throws InvalidArgument for a target outside (0, 1).
double max_norm2(const ParameterSet& params, int precision_bits, double target_p_error,
                 PolynomialProduct product = PolynomialProduct::double_fft);

}  // namespace veil::fhe::noise
