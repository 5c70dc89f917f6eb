// The PBS tables of the small network's programs: every site, channel and index reads
// lookup_entry * 2^output_exponent at its box centre.
#include <gtest/gtest.h>

#include "compiler/small_network.hpp"
#include "veil/common/error.hpp"
#include "veil/compiler/pbs_tables.hpp"
#include "veil/nn/quant/lookup.hpp"

namespace veil::compiler {
namespace {

using nn::quant::QuantizationMode;

const nn::quant::LookupAttrs& site_lookup(const FheProgram& p, const PbsSite& s) {
  const nn::quant::QNode& n = p.circuit.node(s.node);
  return n.op == nn::quant::QOpKind::Lookup ? std::get<nn::quant::LookupAttrs>(n.attrs)
                                            : std::get<nn::quant::MaxPool2dAttrs>(n.attrs).pair;
}

TEST(PbsTables, BoxCentresHoldTheScaledEntries) {
  for (QuantizationMode mode : {QuantizationMode::ReferenceCompatible, QuantizationMode::Improved}) {
    const FheProgram p = compile_program(testing::small_network(mode, 7));
    const std::size_t n = p.params.polynomial_size.value;
    bool per_channel_seen = false, negative_seen = false;
    for (const PbsSite& s : p.pbs_sites) {
      const nn::quant::LookupAttrs& lookup = site_lookup(p, s);
      const std::vector<fhe::LookupTable> tables = make_pbs_tables(p, s);
      ASSERT_EQ(static_cast<std::int64_t>(tables.size()), nn::quant::lookup_table_count(lookup));
      per_channel_seen |= tables.size() > 1;
      const std::size_t box = n >> s.precision_bits;
      for (std::size_t c = 0; c < tables.size(); ++c) {
        ASSERT_EQ(tables[c].precision_bits(), s.precision_bits);
        ASSERT_EQ(tables[c].polynomial_size().value, n);
        for (std::size_t i = 0; i < (std::size_t{1} << s.precision_bits); ++i) {
          const std::int64_t entry =
              nn::quant::lookup_entry(lookup, static_cast<std::int64_t>(c), static_cast<std::int64_t>(i));
          negative_seen |= entry < 0;
          const std::uint64_t expected = static_cast<std::uint64_t>(entry) * (std::uint64_t{1} << s.output_exponent);
          ASSERT_EQ(tables[c].polynomial()[i * box], expected)
              << p.circuit.node(s.node).name << " channel " << c << " index " << i;
        }
      }
    }
    EXPECT_EQ(per_channel_seen, mode == QuantizationMode::Improved);
    if (mode == QuantizationMode::ReferenceCompatible) {
      EXPECT_TRUE(negative_seen) << "no negative entry checked";
    }
  }
}

TEST(PbsTables, SiteOfAnotherProgramIsRefused) {
  const FheProgram p = compile_program(testing::small_network(QuantizationMode::Improved, 7));
  PbsSite wrong = p.pbs_sites.front();
  wrong.node = 1;  // a convolution
  EXPECT_THROW(make_pbs_tables(p, wrong), InvalidArgument);
}

}  // namespace
}  // namespace veil::compiler
