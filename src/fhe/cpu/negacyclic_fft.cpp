// The CMUX difference below vectorises in native builds; GCC's default 256-bit preference would
// halve its width on AVX-512 machines.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC target("prefer-vector-width=512")
#endif
#include "fhe/cpu/negacyclic_fft.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
// Twiddles in long double, rounded once to double: the tables carry no accumulated error.
void unit_root(long double angle, double& re, double& im) {
  re = static_cast<double>(std::cos(angle));
  im = static_cast<double>(std::sin(angle));
}

// diff = X^rotation * acc - acc (rotation < 2N, X^N = -1); the sign is hoisted out of the loops
// so that they vectorise.
void rotated_difference(const Torus* __restrict acc, std::size_t n, std::size_t rotation, Torus* __restrict diff) {
  const bool negate = rotation >= n;
  const std::size_t r = negate ? rotation - n : rotation;
  if (negate) {
    for (std::size_t j = 0; j < r; ++j) diff[j] = acc[j + n - r] - acc[j];
    for (std::size_t j = r; j < n; ++j) diff[j] = Torus{0} - acc[j - r] - acc[j];
  } else {
    for (std::size_t j = 0; j < r; ++j) diff[j] = Torus{0} - acc[j + n - r] - acc[j];
    for (std::size_t j = r; j < n; ++j) diff[j] = acc[j - r] - acc[j];
  }
}
}  // namespace

const NegacyclicFft& NegacyclicFft::for_size(PolynomialSize N) {
  const std::size_t n = N.value;
  if (n < 16 || (n & (n - 1)) != 0) {
    throw InvalidArgument("NegacyclicFft: polynomial size " + std::to_string(n) + ", expected a power of two >= 16");
  }
  static std::mutex cache_mutex;
  static std::map<std::size_t, std::unique_ptr<NegacyclicFft>> cache;
  std::lock_guard lock(cache_mutex);
  auto& slot = cache[n];
  if (!slot) slot.reset(new NegacyclicFft(n));
  return *slot;
}

NegacyclicFft::NegacyclicFft(std::size_t n) : n_(n), storage_(4 * n + 8), tables_{} {
  const std::size_t h = n / 2;
  Tables& t = tables_;
  t.half = h;
  // Eight arrays of h doubles: the first four 64-byte aligned (h >= 8), the stage tables one
  // double past a boundary, so that each stage's twiddles (from index m - 1) start on one and
  // the vector loads of stages m >= 8 do not straddle cache lines (storage_ has a spare vector).
  double* twist_re = storage_.data();
  double* twist_im = twist_re + h;
  double* untwist_re = twist_im + h;
  double* untwist_im = untwist_re + h;
  double* stage_re = untwist_im + h + 1;
  double* stage_im = stage_re + h;
  double* stage3_re = stage_im + h;
  double* stage3_im = stage3_re + h;
  const long double pi = std::numbers::pi_v<long double>;
  for (std::size_t j = 0; j < h; ++j) {
    unit_root(pi * static_cast<long double>(j) / static_cast<long double>(n), twist_re[j], twist_im[j]);
    untwist_re[j] = twist_re[j] / static_cast<double>(h);  // h is a power of two: exact
    untwist_im[j] = twist_im[j] / static_cast<double>(h);
  }
  for (std::size_t m = 1; m < h; m *= 2) {
    for (std::size_t j = 0; j < m; ++j) {
      unit_root(-pi * static_cast<long double>(j) / static_cast<long double>(m), stage_re[m - 1 + j],
                stage_im[m - 1 + j]);
    }
  }
  for (std::size_t m = 2; m < h; m *= 2) {
    for (std::size_t j = 0; j < m / 2; ++j) {
      unit_root(-pi * static_cast<long double>(3 * j) / static_cast<long double>(m), stage3_re[m - 1 + j],
                stage3_im[m - 1 + j]);
    }
  }
  for (std::size_t s = 4, row = 0; s >= 1; s /= 2, ++row) {
    for (std::size_t l = 0; l < 8; ++l) {
      const bool twiddled = (l & s) != 0 && s < h;
      t.lane_re[row][l] = twiddled ? stage_re[s - 1 + (l & (s - 1))] : 1.0;
      t.lane_im[row][l] = twiddled ? stage_im[s - 1 + (l & (s - 1))] : 0.0;
    }
  }
  t.twist_re = twist_re;
  t.twist_im = twist_im;
  t.untwist_re = untwist_re;
  t.untwist_im = untwist_im;
  t.stage_re = stage_re;
  t.stage_im = stage_im;
  t.stage3_re = stage3_re;
  t.stage3_im = stage3_im;
  const cpu::CpuKernels& chosen = cpu::cpu_kernels();
  kernels_ = n >= chosen.fft_min_size ? &chosen : &cpu::scalar_kernels();
}

void NegacyclicFft::forward(const std::int64_t* in, double* out) const { kernels_->fft_forward(tables_, in, out); }

void NegacyclicFft::forward_digits(const Torus* in, const SignedDecomposer& decomposer, std::int64_t* digits,
                                   double* const* outs) const {
  const int levels = static_cast<int>(decomposer.level_count().value);
  if (kernels_->fft_forward_digits != nullptr && levels <= cpu::kMaxDigitLevels) {
    return kernels_->fft_forward_digits(tables_, in, static_cast<int>(decomposer.base_log().value), levels, outs);
  }
  decomposer.decompose_slice(in, n_, digits);
  for (int j = 0; j < levels; ++j) forward(digits + static_cast<std::size_t>(j) * n_, outs[j]);
}

void NegacyclicFft::forward_rotated_difference_digits(const Torus* acc, std::size_t rotation,
                                                      const SignedDecomposer& decomposer, std::int64_t* digits,
                                                      Torus* diff, double* const* outs) const {
  const int levels = static_cast<int>(decomposer.level_count().value);
  if (kernels_->fft_forward_rotated_digits != nullptr && levels <= cpu::kMaxDigitLevels) {
    return kernels_->fft_forward_rotated_digits(tables_, acc, rotation, static_cast<int>(decomposer.base_log().value),
                                                levels, outs);
  }
  rotated_difference(acc, n_, rotation, diff);
  forward_digits(diff, decomposer, digits, outs);
}

void NegacyclicFft::backward(double* fourier, Torus* out) const {
  kernels_->fft_backward(tables_, fourier, out, false);
}

void NegacyclicFft::backward_add(double* fourier, Torus* out) const {
  kernels_->fft_backward(tables_, fourier, out, true);
}

void NegacyclicFft::forward_scalar(const std::int64_t* in, double* out) const {
  cpu::scalar_kernels().fft_forward(tables_, in, out);
}

void NegacyclicFft::backward_scalar(double* fourier, Torus* out, bool add) const {
  cpu::scalar_kernels().fft_backward(tables_, fourier, out, add);
}

void negacyclic_multiply_binary_exact(const Torus* a, const Torus* binary, Torus* out, PolynomialSize N) {
  const NegacyclicFft& fft = NegacyclicFft::for_size(N);
  const std::size_t n = N.value;
  AlignedVector<double> key_fourier(n), limb_fourier(n);
  AlignedVector<std::int64_t> limb(n);
  AlignedVector<Torus> partial(n);
  fft.forward(binary, key_fourier.data());
  std::fill(out, out + n, Torus{0});
  for (int shift = 0; shift < 64; shift += 16) {
    for (std::size_t j = 0; j < n; ++j) limb[j] = static_cast<std::int64_t>((a[j] >> shift) & 0xffff);
    fft.forward(limb.data(), limb_fourier.data());
    const std::size_t h = n / 2;
    for (std::size_t j = 0; j < h; ++j) {
      const double re = limb_fourier[j] * key_fourier[j] - limb_fourier[j + h] * key_fourier[j + h];
      const double im = limb_fourier[j] * key_fourier[j + h] + limb_fourier[j + h] * key_fourier[j];
      limb_fourier[j] = re;
      limb_fourier[j + h] = im;
    }
    fft.backward(limb_fourier.data(), partial.data());
    for (std::size_t j = 0; j < n; ++j) out[j] += partial[j] << shift;
  }
}

}  // namespace veil::fhe
