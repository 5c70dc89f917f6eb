// multi_dot_product against the plain definition, for every group remainder (1..4 outputs
// per register block), masked tails, weights of any size (lifts wrap modulo 2^64), no terms
// (zeroed outputs) and more terms than one pass takes (256: later passes add to the outputs).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "fhe/cpu/multi_dot.hpp"

namespace veil::fhe::cpu {
namespace {

TEST(MultiDotProduct, EqualsThePlainSumModulo2To64) {
  std::mt19937_64 gen(17);
  for (std::size_t outputs : {1, 2, 3, 4, 5, 7, 9}) {
    for (std::size_t terms : {0, 1, 2, 5, 256, 257, 600}) {
      for (std::size_t size : {1, 7, 8, 9, 31, 32, 33, 70}) {
        std::vector<std::vector<Torus>> inputs(terms, std::vector<Torus>(size));
        for (auto& x : inputs) {
          for (auto& v : x) v = gen();
        }
        std::vector<std::int64_t> weights(outputs * terms);
        for (auto& w : weights) w = static_cast<std::int64_t>(gen());
        std::vector<std::vector<Torus>> out(outputs, std::vector<Torus>(size, 12345));
        std::vector<const Torus*> in_ptrs;
        for (const auto& x : inputs) in_ptrs.push_back(x.data());
        std::vector<Torus*> out_ptrs;
        for (auto& y : out) out_ptrs.push_back(y.data());
        multi_dot_product(in_ptrs, weights.data(), out_ptrs, size);
        for (std::size_t o = 0; o < outputs; ++o) {
          for (std::size_t d = 0; d < size; ++d) {
            Torus expected = 0;
            for (std::size_t t = 0; t < terms; ++t)
              expected += static_cast<Torus>(weights[o * terms + t]) * inputs[t][d];
            ASSERT_EQ(out[o][d], expected)
                << outputs << " outputs, " << terms << " terms, size " << size << ", output " << o << ", value " << d;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace veil::fhe::cpu
