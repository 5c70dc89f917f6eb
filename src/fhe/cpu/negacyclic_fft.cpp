#include "fhe/cpu/negacyclic_fft.hpp"

#include <fftw3.h>

#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <numbers>
#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
// FFTW's planner is not thread-safe; execution of a finished plan is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

// round(x) mod 2^64 for |x| far beyond 2^64: subtracting the nearest multiple of 2^64 is
// exact in double arithmetic, leaving a value in [-2^63, 2^63].
inline Torus to_torus(double x) {
  const double r = std::nearbyint(x);
  const double wrapped = r - std::nearbyint(r * 0x1p-64) * 0x1p64;
  if (wrapped >= 0x1p63) return static_cast<Torus>(static_cast<std::int64_t>(wrapped - 0x1p64));
  return static_cast<Torus>(static_cast<std::int64_t>(wrapped));
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

NegacyclicFft::NegacyclicFft(std::size_t n) : n_(n), twist_re_(n / 2), twist_im_(n / 2) {
  const std::size_t h = n / 2;
  for (std::size_t j = 0; j < h; ++j) {
    const double angle = std::numbers::pi * static_cast<double>(j) / static_cast<double>(n);
    twist_re_[j] = std::cos(angle);
    twist_im_[j] = std::sin(angle);
  }
  AlignedVector<double> buffer(n);
  fftw_iodim dim{static_cast<int>(h), 1, 1};
  std::lock_guard lock(planner_mutex());
  double* re = buffer.data();
  double* im = buffer.data() + h;
  forward_plan_ = fftw_plan_guru_split_dft(1, &dim, 0, nullptr, re, im, re, im, FFTW_MEASURE);
  // The inverse is the forward transform with real and imaginary parts swapped; FFTW plans
  // depend on the offset between the two parts, so that layout gets its own plan.
  backward_plan_ = fftw_plan_guru_split_dft(1, &dim, 0, nullptr, im, re, im, re, FFTW_MEASURE);
  if (forward_plan_ == nullptr || backward_plan_ == nullptr) {
    throw Error("NegacyclicFft: FFTW could not plan size " + std::to_string(h));
  }
}

NegacyclicFft::~NegacyclicFft() {
  std::lock_guard lock(planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(forward_plan_));
  fftw_destroy_plan(static_cast<fftw_plan>(backward_plan_));
}

void NegacyclicFft::forward(const std::int64_t* in, double* out) const {
  const std::size_t h = n_ / 2;
  double* __restrict re = out;
  double* __restrict im = out + h;
  const double* __restrict tr = twist_re_.data();
  const double* __restrict ti = twist_im_.data();
  for (std::size_t j = 0; j < h; ++j) {
    const double a = static_cast<double>(in[j]);
    const double b = static_cast<double>(in[j + h]);
    re[j] = a * tr[j] - b * ti[j];
    im[j] = a * ti[j] + b * tr[j];
  }
  fftw_execute_split_dft(static_cast<fftw_plan>(forward_plan_), re, im, re, im);
}

void NegacyclicFft::inverse_untwisted(double* fourier) const {
  const std::size_t h = n_ / 2;
  double* __restrict re = fourier;
  double* __restrict im = fourier + h;
  // Swapping real and imaginary parts turns FFTW's forward transform into the inverse.
  fftw_execute_split_dft(static_cast<fftw_plan>(backward_plan_), im, re, im, re);
  const double scale = 1.0 / static_cast<double>(h);
  const double* __restrict tr = twist_re_.data();
  const double* __restrict ti = twist_im_.data();
  for (std::size_t j = 0; j < h; ++j) {
    const double x = re[j] * scale;
    const double y = im[j] * scale;
    re[j] = x * tr[j] + y * ti[j];  // multiply by the conjugate twist
    im[j] = y * tr[j] - x * ti[j];
  }
}

void NegacyclicFft::backward(double* fourier, Torus* out) const {
  inverse_untwisted(fourier);
  const std::size_t h = n_ / 2;
  for (std::size_t j = 0; j < h; ++j) {
    out[j] = to_torus(fourier[j]);
    out[j + h] = to_torus(fourier[j + h]);
  }
}

void NegacyclicFft::backward_add(double* fourier, Torus* out) const {
  inverse_untwisted(fourier);
  const std::size_t h = n_ / 2;
  for (std::size_t j = 0; j < h; ++j) {
    out[j] += to_torus(fourier[j]);
    out[j + h] += to_torus(fourier[j + h]);
  }
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
