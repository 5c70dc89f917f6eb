#include <algorithm>

#include "nn/quant/kernels/int_kernels.hpp"
#include "veil/nn/quant/lookup.hpp"
#include "veil/nn/quant/misread_model.hpp"

namespace veil::nn::quant {

PreparedLookup make_prepared_lookup(const LookupAttrs& attrs, std::size_t max_entries) {
  PreparedLookup p;
  p.attrs = &attrs;
  const auto count = static_cast<std::size_t>(lookup_table_count(attrs));
  if (attrs.bits <= 24 && (count << attrs.bits) <= max_entries) {
    p.tables.resize(count);
    for (std::size_t c = 0; c < count; ++c) make_lookup_table(attrs, static_cast<std::int64_t>(c), p.tables[c]);
  }
  return p;
}

std::int64_t PbsReader::read(const PreparedLookup& lookup, std::int64_t channel, std::int64_t acc) {
  const LookupAttrs& l = *lookup.attrs;
  std::int64_t index = lookup_index(acc, l.shift, l.offset);
  if (sigma_ > 0.0) {
    const double f = use_residual_ ? rounding_residual(acc, l.shift) : 0.0;
    expected_ += misread_probability(sigma_, f);
    const std::int64_t delta = draw_misread(sigma_, f, seed_, image_, pbs_);
    misreads_ += delta != 0;
    index += delta;
  }
  ++pbs_;
  if (lookup.tables.empty()) return lookup_read(l, channel, index);
  const std::int64_t size = std::int64_t{1} << l.bits;
  const std::int64_t i = index & (2 * size - 1);
  const auto& table = lookup.tables[lookup.tables.size() == 1 ? 0 : static_cast<std::size_t>(channel)];
  return i < size ? table[static_cast<std::size_t>(i)] : -table[static_cast<std::size_t>(i - size)];
}

void apply_lookup(const PreparedLookup& lookup, const IntTensor& x, IntTensor& y, PbsReader& reader) {
  y.shape = x.shape;
  y.data.resize(x.data.size());
  const std::int64_t channels = x.shape.empty() ? 1 : x.shape[0];
  const std::size_t per_channel = x.data.size() / static_cast<std::size_t>(channels);
  for (std::size_t i = 0; i < x.data.size(); ++i) {
    y.data[i] = reader.read(lookup, static_cast<std::int64_t>(i / per_channel), x.data[i]);
  }
}

}  // namespace veil::nn::quant
