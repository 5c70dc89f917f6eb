// QuantizationConfig::rounding_bits_by_node: the named PBS site (a lookup or a max-pool's pair
// lookup) reads its accumulator on fewer bits, one more shift per bit, and no other site's width
// changes; names that are no rounded PBS site and widths out of range are refused.
#include <gtest/gtest.h>

#include <string>

#include "veil/common/error.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/nn/quant/quantize_graph.hpp"
#include "veil/nn/small_resnet.hpp"

namespace veil::nn::quant {
namespace {

QuantizedCircuit quantize(const std::map<std::string, int>& by_node,
                          QuantizationMode mode = QuantizationMode::Improved) {
  static const Graph graph = make_small_resnet(5);
  static const Tensor calibration = make_small_images(16, 6);
  QuantizationConfig c;
  c.mode = mode;
  c.rounding_bits = 7;
  c.rounding_bits_by_node = by_node;
  ThreadPool pool(2);
  return make_quantized_circuit(graph, calibration, c, pool);
}

// The PBS of a node (a Lookup's, a MaxPool2d's pair lookup), or null.
const LookupAttrs* pbs_of(const QNode& n) {
  if (const auto* l = std::get_if<LookupAttrs>(&n.attrs)) return l;
  if (const auto* m = std::get_if<MaxPool2dAttrs>(&n.attrs)) return &m->pair;
  return nullptr;
}

void expect_only_site_narrowed(const std::string& site, int bits) {
  const QuantizedCircuit uniform = quantize({});
  const QuantizedCircuit narrowed = quantize({{site, bits}});
  ASSERT_EQ(uniform.nodes.size(), narrowed.nodes.size());
  bool found = false, upstream = true;
  for (std::size_t i = 0; i < uniform.nodes.size(); ++i) {
    const LookupAttrs* a = pbs_of(uniform.nodes[i]);
    const LookupAttrs* b = pbs_of(narrowed.nodes[i]);
    ASSERT_EQ(a == nullptr, b == nullptr);
    if (!a) continue;
    if (uniform.nodes[i].name == site) {
      found = true;
      upstream = false;
      ASSERT_EQ(a->bits, 7) << site;  // the test needs a site the uniform setting rounds
      EXPECT_EQ(b->bits, bits) << site;
      EXPECT_EQ(b->shift, a->shift + (a->bits - bits)) << site;
      continue;
    }
    EXPECT_EQ(b->bits, a->bits) << uniform.nodes[i].name;
    if (upstream) EXPECT_EQ(b->shift, a->shift) << uniform.nodes[i].name;  // its inputs did not change
  }
  EXPECT_TRUE(found) << site;
}

TEST(SiteRounding, NarrowsOnlyTheNamedLookup) { expect_only_site_narrowed("layer1.0.relu1", 5); }

TEST(SiteRounding, NarrowsTheMaxPoolsPairLookup) { expect_only_site_narrowed("maxpool", 6); }

TEST(SiteRounding, RefusesUnknownSitesAndBadWidths) {
  EXPECT_THROW(quantize({{"no.such.node", 5}}), InvalidArgument);
  EXPECT_THROW(quantize({{"conv1", 5}}), InvalidArgument);  // a convolution: no PBS
  EXPECT_THROW(quantize({{"layer1.0.relu1", 0}}), InvalidArgument);
  EXPECT_THROW(quantize({{"layer1.0.relu1", 25}}), InvalidArgument);
}

}  // namespace
}  // namespace veil::nn::quant
