#pragma once
// The simulator's model of one PBS under FHE noise. The modulus switch reads
// acc / 2^shift = k + f (k = the rounded index, f in [-1/2, 1/2) the residual in index
// units) plus Gaussian noise e of standard deviation sigma, and returns round(k + f + e).
// sigma is set so that a value at the centre of its box (f = 0) is misread with
// probability p_error: P(|e| > 1/2) = p_error, i.e. sigma = 1 / (2 sqrt(2) erfcinv(p_error)).
// An off-centre residual is misread upward with probability 1/2 erfc((1/2 - f) / (sqrt(2) sigma))
// and downward with 1/2 erfc((1/2 + f) / (sqrt(2) sigma)) (the approximate rounding's own effect).
#include <cstdint>

namespace veil::nn::quant {

/// sigma in index units for a per-PBS error probability in (0, 1) (0 for p_error == 0).
double misread_sigma(double p_error);

/// The error probability of a to_bits-bit read under the noise that gives a from_bits-bit read
/// error probability p_error: the box scales by 2^(from_bits - to_bits), the noise does not, so
/// erfc(erfcinv(p_error) * 2^(from_bits - to_bits)). Lets a target stated for 7-bit reads
/// (the reference's p_error) hold a finer read to the same noise.
double p_error_at_bits(double p_error, int from_bits, int to_bits);

/// Probability that the read index differs from the exactly rounded one, for residual f.
double misread_probability(double sigma, double f);

/// Residual f of acc / 2^shift against round-half-up rounding, in [-1/2, 1/2).
double rounding_residual(std::int64_t acc, int shift);

/// Counter-based generator: a uniform double in (0, 1) from (seed, image, pbs, lane),
/// independent of thread scheduling (SplitMix64 finalizer chained over the counters).
double counter_uniform(std::uint64_t seed, std::uint64_t image, std::uint64_t pbs, std::uint64_t lane);

/// The index error round(f + e) drawn for one PBS (0 when sigma == 0).
std::int64_t draw_misread(double sigma, double f, std::uint64_t seed, std::uint64_t image, std::uint64_t pbs);

}  // namespace veil::nn::quant
