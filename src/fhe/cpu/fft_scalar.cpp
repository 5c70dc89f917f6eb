// Scalar negacyclic FFT: the reference for the AVX-512 kernel and the path for builds
// without AVX-512. Same stages, same tables, same output order.
#include <cmath>

#include "fhe/cpu/negacyclic_fft.hpp"

namespace veil::fhe::detail {

namespace {
// round(x) mod 2^64 for |x| far beyond 2^64: subtracting the nearest multiple of 2^64 is
// exact in double arithmetic, leaving a value in [-2^63, 2^63].
inline Torus to_torus(double x) {
  const double r = std::nearbyint(x);
  const double wrapped = r - std::nearbyint(r * 0x1p-64) * 0x1p64;
  if (wrapped >= 0x1p63) return static_cast<Torus>(static_cast<std::int64_t>(wrapped - 0x1p64));
  return static_cast<Torus>(static_cast<std::int64_t>(wrapped));
}
}  // namespace

void fft_forward_scalar(const NegacyclicFft::Tables& t, const std::int64_t* in, double* out) {
  const std::size_t h = t.half;
  double* re = out;
  double* im = out + h;
  for (std::size_t j = 0; j < h; ++j) {
    const double a = static_cast<double>(in[j]);
    const double b = static_cast<double>(in[j + h]);
    re[j] = a * t.twist_re[j] - b * t.twist_im[j];
    im[j] = a * t.twist_im[j] + b * t.twist_re[j];
  }
  // Decimation in frequency: (u, v) -> (u + v, (u - v) * W_m[j]).
  for (std::size_t m = h / 2; m >= 1; m /= 2) {
    const double* wr = t.stage_re.data() + m - 1;
    const double* wi = t.stage_im.data() + m - 1;
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t p = b + j, q = b + j + m;
        const double dr = re[p] - re[q], di = im[p] - im[q];
        re[p] += re[q];
        im[p] += im[q];
        re[q] = dr * wr[j] - di * wi[j];
        im[q] = dr * wi[j] + di * wr[j];
      }
    }
  }
}

void fft_backward_scalar(const NegacyclicFft::Tables& t, double* fourier, Torus* out, bool add) {
  const std::size_t h = t.half;
  double* re = fourier;
  double* im = fourier + h;
  // Decimation in time with conjugate twiddles: (u, v) -> (u + v*conj(W), u - v*conj(W)),
  // the stages of the forward transform undone in reverse order (up to a factor 2 each).
  for (std::size_t m = 1; m < h; m *= 2) {
    const double* wr = t.stage_re.data() + m - 1;
    const double* wi = t.stage_im.data() + m - 1;
    for (std::size_t b = 0; b < h; b += 2 * m) {
      for (std::size_t j = 0; j < m; ++j) {
        const std::size_t p = b + j, q = b + j + m;
        const double vr = re[q] * wr[j] + im[q] * wi[j];
        const double vi = im[q] * wr[j] - re[q] * wi[j];
        re[q] = re[p] - vr;
        im[q] = im[p] - vi;
        re[p] += vr;
        im[p] += vi;
      }
    }
  }
  for (std::size_t j = 0; j < h; ++j) {
    const double x = re[j] * t.untwist_re[j] + im[j] * t.untwist_im[j];  // times conj(w^j) / h
    const double y = im[j] * t.untwist_re[j] - re[j] * t.untwist_im[j];
    const Torus a = to_torus(x), b = to_torus(y);
    out[j] = add ? out[j] + a : a;
    out[j + h] = add ? out[j + h] + b : b;
  }
}

}  // namespace veil::fhe::detail
