#include "veil/fhe/csprng.hpp"

#include <openssl/rand.h>

#include <cmath>
#include <cstring>
#include <numbers>

#include "fhe/commons/aes_ctr_keystream.hpp"
#include "veil/common/error.hpp"

namespace veil::fhe {

struct Csprng::CipherState {
  explicit CipherState(const std::array<std::uint8_t, 16>& key) : stream(key) {}
  AesCtrKeystream stream;
};

Csprng::Csprng(const std::array<std::uint8_t, 16>& key) : state_(std::make_unique<CipherState>(key)) {}

namespace {
std::array<std::uint8_t, 16> system_seed() {
  std::array<std::uint8_t, 16> key{};
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) throw Error("Csprng: RAND_bytes failed");
  return key;
}
}  // namespace

Csprng::Csprng() : Csprng(system_seed()) {}
Csprng::~Csprng() = default;
Csprng::Csprng(Csprng&&) noexcept = default;
Csprng& Csprng::operator=(Csprng&&) noexcept = default;

Csprng Csprng::from_seed_insecure_for_tests(std::uint64_t seed) {
  std::array<std::uint8_t, 16> key{};
  std::memcpy(key.data(), &seed, sizeof(seed));
  key[15] = 0x7e;  // domain separation from fork()ed keys
  return Csprng(key);
}

Csprng Csprng::fork() {
  std::array<std::uint8_t, 16> key{};
  const std::uint64_t words[2] = {next_word(), next_word()};
  std::memcpy(key.data(), words, sizeof(words));
  return Csprng(key);
}

void Csprng::refill() {
  state_->stream.fill(buffer_);
  next_ = 0;
}

std::uint64_t Csprng::next_word() {
  if (next_ == buffer_.size()) refill();
  return buffer_[next_++];
}

Torus Csprng::uniform() { return next_word(); }

void Csprng::fill_uniform(std::span<Torus> out) {
  for (auto& x : out) x = next_word();
}

void Csprng::fill_binary(std::span<Torus> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t word = next_word();
    for (int bit = 0; bit < 64 && i < out.size(); ++bit, ++i) out[i] = (word >> bit) & 1;
  }
}

Torus Csprng::gaussian(double std_dev) {
  double z;
  if (has_spare_) {
    z = spare_gaussian_;
    has_spare_ = false;
  } else {
    // u1 in (0, 1] so that log(u1) is finite; both with 53 random bits.
    const double u1 = static_cast<double>((next_word() >> 11) + 1) * 0x1p-53;
    const double u2 = static_cast<double>(next_word() >> 11) * 0x1p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double theta = 2.0 * std::numbers::pi * u2;
    z = r * std::cos(theta);
    spare_gaussian_ = r * std::sin(theta);
    has_spare_ = true;
  }
  const double scaled = z * std_dev * 0x1p64;
  return static_cast<Torus>(std::llround(scaled));
}

void Csprng::add_gaussian(std::span<Torus> out, double std_dev) {
  for (auto& x : out) x += gaussian(std_dev);
}

}  // namespace veil::fhe
