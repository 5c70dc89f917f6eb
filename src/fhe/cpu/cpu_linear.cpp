#include "fhe/cpu/cpu_linear.hpp"

#include <algorithm>
#include <vector>

#include "fhe/cpu/multi_dot.hpp"

namespace veil::fhe::cpu {

namespace {

// Outputs computed together by multi_dot_product: they share every input slice.
constexpr std::size_t kOutputSlice = 64;
// Multiply-adds per ciphertext value that make a work item worth a chunk of its own.
constexpr std::size_t kItemWork = 64;

struct Item {
  std::uint32_t group, first;  // outputs [first, first + kOutputSlice) of the group, in batch order
};

}  // namespace

void linear_batch(const LinearBatch& batch, std::size_t inputs, LweCiphertextArray& outputs, ThreadPool& pool) {
  std::vector<const Torus*> input(inputs);
  std::size_t next = 0;
  for (const LweCiphertextArray* source : batch.sources) {
    for (std::size_t i = 0; i < source->size(); ++i) input[next++] = (*source)[i].data();
  }
  std::vector<Item> items;
  std::size_t work = 0;  // multiply-adds per ciphertext value
  for (std::uint32_t g = 0; g < batch.groups(); ++g) {
    work += std::size_t{batch.group_terms[g + 1] - batch.group_terms[g]} *
            (batch.group_outputs[g + 1] - batch.group_outputs[g]);
    for (std::uint32_t o = batch.group_outputs[g]; o < batch.group_outputs[g + 1]; o += kOutputSlice) {
      items.push_back({g, o});
    }
  }
  if (items.empty()) return;
  const std::size_t size = outputs.dimension().value + 1;
  pool.parallel_for(
      items.size(), std::max<std::size_t>(1, kItemWork * items.size() / std::max<std::size_t>(1, work)),
      [&](std::size_t begin, std::size_t end, std::size_t) {
        std::vector<const Torus*> terms;
        std::vector<std::int64_t> weights;
        std::vector<Torus*> out;
        for (std::size_t item = begin; item < end; ++item) {
          const auto [g, first] = items[item];
          const std::uint32_t t0 = batch.group_terms[g], t1 = batch.group_terms[g + 1];
          const std::uint32_t last = std::min<std::uint32_t>(first + kOutputSlice, batch.group_outputs[g + 1]);
          terms.clear();
          for (std::uint32_t t = t0; t < t1; ++t) terms.push_back(input[batch.term_input[t]]);
          weights.clear();
          out.clear();
          for (std::uint32_t o = first; o < last; ++o) {
            const std::int64_t* row = batch.weights.data() + std::size_t{batch.output_row[o]} * batch.columns;
            for (std::uint32_t t = t0; t < t1; ++t) weights.push_back(row[batch.term_column[t]]);
            out.push_back(outputs[batch.output_index[o]].data());
          }
          multi_dot_product(terms, weights.data(), out, size);
          for (std::uint32_t o = first; o < last; ++o) out[o - first][size - 1] += batch.output_constant[o];
        }
      });
}

}  // namespace veil::fhe::cpu
