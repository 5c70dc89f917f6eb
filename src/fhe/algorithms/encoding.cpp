#include "veil/fhe/encoding.hpp"

#include <string>

#include "veil/common/error.hpp"

namespace veil::fhe {

namespace {
void check_precision(int precision_bits) {
  if (precision_bits < 1 || precision_bits > 62) {
    throw InvalidArgument("encoding: precision " + std::to_string(precision_bits) + " bits, expected 1..62");
  }
}
}  // namespace

Torus delta_for_precision(int precision_bits) {
  check_precision(precision_bits);
  return Torus{1} << (63 - precision_bits);
}

Torus encode_message(std::int64_t message, int precision_bits, Signedness signedness) {
  const Torus delta = delta_for_precision(precision_bits);
  const std::int64_t span = std::int64_t{1} << precision_bits;
  const std::int64_t low = signedness == Signedness::twos_complement ? -span / 2 : 0;
  const std::int64_t high = signedness == Signedness::twos_complement ? span / 2 - 1 : span - 1;
  if (message < low || message > high) {
    throw InvalidArgument("encode_message: message " + std::to_string(message) + " does not fit " +
                          std::to_string(precision_bits) + " bits, expected " + std::to_string(low) + ".." +
                          std::to_string(high));
  }
  const Torus code = static_cast<Torus>(message) & static_cast<Torus>(span - 1);
  return code * delta;
}

std::int64_t decode_message(Torus phase, int precision_bits, Signedness signedness) {
  check_precision(precision_bits);
  const int shift = 63 - precision_bits;
  const Torus rounded = ((phase >> (shift - 1)) + 1) >> 1;  // nearest multiple of Δ, in units of Δ
  const Torus mask = (Torus{1} << precision_bits) - 1;
  const auto code = static_cast<std::int64_t>(rounded & mask);
  if (signedness == Signedness::twos_complement && code >= (std::int64_t{1} << (precision_bits - 1))) {
    return code - (std::int64_t{1} << precision_bits);
  }
  return code;
}

}  // namespace veil::fhe
