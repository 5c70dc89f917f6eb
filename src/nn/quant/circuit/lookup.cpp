#include "veil/nn/quant/lookup.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "veil/common/error.hpp"

namespace veil::nn::quant {

std::int64_t lookup_index(std::int64_t acc, int shift, std::int64_t offset) {
  if (shift == 0) return acc + offset;
  // Arithmetic shift = floor division by 2^shift; adding half first rounds half up.
  return ((acc + (std::int64_t{1} << (shift - 1))) >> shift) + offset;
}

std::int64_t lookup_entry(const LookupAttrs& lookup, std::int64_t channel, std::int64_t index) {
  const LookupFunction& f = lookup.function;
  const double in_scale = f.in_scale.size() == 1 ? f.in_scale[0] : f.in_scale[static_cast<std::size_t>(channel)];
  const double out_scale = f.out_scale.size() == 1 ? f.out_scale[0] : f.out_scale[static_cast<std::size_t>(channel)];
  const double acc =
      std::ldexp(static_cast<double>(index - lookup.offset), lookup.shift) - static_cast<double>(f.in_zero_point);
  double v = in_scale * acc;
  if (f.relu) v = std::max(v, 0.0);
  const double q = std::round(v / out_scale) + static_cast<double>(f.out_zero_point);
  const double clamped = std::clamp(q, static_cast<double>(f.out_min), static_cast<double>(f.out_max));
  return static_cast<std::int64_t>(clamped);
}

std::int64_t lookup_read(const LookupAttrs& lookup, std::int64_t channel, std::int64_t index) {
  const std::int64_t size = std::int64_t{1} << lookup.bits;
  const std::int64_t i = index & (2 * size - 1);  // index mod 2^(bits+1), also for negative indices
  return i < size ? lookup_entry(lookup, channel, i) : -lookup_entry(lookup, channel, i - size);
}

void make_lookup_table(const LookupAttrs& lookup, std::int64_t channel, std::vector<std::int64_t>& table) {
  if (lookup.bits > 24) {
    throw InvalidArgument("make_lookup_table: " + std::to_string(lookup.bits) +
                          "-bit table is too large (at most 24 bits)");
  }
  table.resize(std::size_t{1} << lookup.bits);
  for (std::size_t i = 0; i < table.size(); ++i) table[i] = lookup_entry(lookup, channel, static_cast<std::int64_t>(i));
}

std::int64_t lookup_table_count(const LookupAttrs& lookup) {
  return static_cast<std::int64_t>(std::max(lookup.function.in_scale.size(), lookup.function.out_scale.size()));
}

}  // namespace veil::nn::quant
