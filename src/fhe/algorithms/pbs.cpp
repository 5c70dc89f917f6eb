#include "veil/fhe/pbs.hpp"

#include <string>

#include "fhe/commons/scratch.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/blind_rotation.hpp"
#include "veil/fhe/keyswitch.hpp"
#include "veil/fhe/modulus_switch.hpp"
#include "veil/fhe/sample_extraction.hpp"

namespace veil::fhe {

std::size_t pbs_scratch_size(const ParameterSet& params) {
  const std::size_t n = params.lwe_dimension.value;
  return detail::ScratchSize()
      .add<Torus>(n + 1)                                                             // key-switched ciphertext
      .add<Torus>(n + 1)                                                             // modulus-switched ciphertext
      .add<Torus>((params.glwe_dimension.value + 1) * params.polynomial_size.value)  // accumulator
      .add_bytes(blind_rotation_scratch_size(params.glwe_dimension, params.polynomial_size, params.pbs_level))
      .total();
}

void programmable_bootstrap(const ServerKey& key, LweConstView in, const LookupTable& table, LweView out,
                            std::span<std::byte> scratch) {
  const ParameterSet& p = key.parameters();
  const std::size_t n = p.lwe_dimension.value;
  const std::size_t big = p.big_lwe_dimension().value;
  if (in.size() != big + 1 || out.size() != big + 1 || table.polynomial_size() != p.polynomial_size) {
    throw InvalidArgument(
        "programmable_bootstrap: input of " + std::to_string(in.size()) + " values, output of " +
        std::to_string(out.size()) + ", table of N = " + std::to_string(table.polynomial_size().value) +
        "; expected k*N+1 = " + std::to_string(big + 1) + " values and N = " + std::to_string(p.polynomial_size.value) +
        " (parameter set " + p.name + ")");
  }
  detail::ScratchCursor cursor(scratch, pbs_scratch_size(p), "programmable_bootstrap");
  std::span<Torus> small(cursor.take<Torus>(n + 1), n + 1);
  std::span<Torus> switched(cursor.take<Torus>(n + 1), n + 1);
  const std::size_t glwe_size = (p.glwe_dimension.value + 1) * p.polynomial_size.value;
  std::span<Torus> acc(cursor.take<Torus>(glwe_size), glwe_size);

  keyswitch(key.keyswitch_key(), in, small);
  modulus_switch(small, p.polynomial_size, p.modulus_switch_kind, switched);
  blind_rotate(key.bootstrap_key(), switched, table, acc, cursor.rest());
  extract_sample(acc, p.glwe_dimension, p.polynomial_size, 0, out);
}

}  // namespace veil::fhe
