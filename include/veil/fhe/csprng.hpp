#pragma once
// The only source of key and noise material: an AES-128-CTR keystream (OpenSSL EVP).
// Default construction seeds from OpenSSL's RAND_bytes. Not thread-safe: give each thread
// its own generator (fork()).
#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "veil/fhe/dimensions.hpp"

namespace veil::fhe {

class Csprng {
 public:
  /// Seeded from the operating system's entropy (OpenSSL RAND_bytes). Use this for real keys.
  Csprng();
  ~Csprng();
  Csprng(Csprng&&) noexcept;
  Csprng& operator=(Csprng&&) noexcept;

  /// !!! INSECURE: a generator fully determined by `seed`, for reproducible TESTS ONLY.
  /// Keys or ciphertexts made with it are known to anyone who knows the seed.
  static Csprng from_seed_insecure_for_tests(std::uint64_t seed);

  /// An independent generator seeded from this one's keystream (per-thread generators).
  Csprng fork();

  /// Uniform over Z/2^64.
  Torus uniform();
  void fill_uniform(std::span<Torus> out);
  /// Uniform over {0, 1}.
  void fill_binary(std::span<Torus> out);
  /// A centred Gaussian sample of std dev `std_dev` on the torus scale, i.e. round(std_dev * 2^64 * z),
  /// returned modulo 2^64 (two's complement). Box–Muller on 53-bit uniforms.
  Torus gaussian(double std_dev);
  /// out[i] += gaussian(std_dev) for every i.
  void add_gaussian(std::span<Torus> out, double std_dev);

 private:
  explicit Csprng(const std::array<std::uint8_t, 16>& key);
  void refill();
  std::uint64_t next_word();

  struct CipherState;
  std::unique_ptr<CipherState> state_;
  std::array<std::uint64_t, 512> buffer_{};
  std::size_t next_ = 512;
  double spare_gaussian_ = 0;
  bool has_spare_ = false;
};

}  // namespace veil::fhe
