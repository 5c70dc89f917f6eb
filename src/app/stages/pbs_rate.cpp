#include "veil/app/stages/pbs_rate.hpp"

#include <algorithm>
#include <chrono>

#include "veil/common/error.hpp"
#include "veil/fhe/lookup_table.hpp"

namespace veil::app {
namespace {

void run_batch(const fhe::ServerKey& key, fhe::Backend& backend, const fhe::LookupTable& table, std::size_t count,
               fhe::Csprng& rng) {
  const fhe::LweDimension big = key.parameters().big_lwe_dimension();
  fhe::LweCiphertextArray inputs(count, big), outputs(count, big);
  rng.fill_uniform(inputs.data());  // the cost of a PBS does not depend on what it decrypts to
  const fhe::LookupTable* tables[] = {&table};
  backend.programmable_bootstrap_batch(key, inputs, tables, outputs);
}

}  // namespace

std::size_t calibration_pbs_count(std::size_t threads) { return 4 * std::max<std::size_t>(threads, 1) * 16; }

PbsRate measure_pbs_rate(const fhe::ServerKey& key, fhe::Backend& backend, std::size_t count, fhe::Csprng& rng) {
  if (count == 0) throw InvalidArgument("measure_pbs_rate: count 0, expected at least 1 PBS");
  const fhe::ParameterSet& params = key.parameters();
  const int p = params.precision_bits;
  const fhe::LookupTable table = fhe::make_lookup_table(
      params.polynomial_size, p, [p](std::uint64_t i) { return static_cast<fhe::Torus>(i) << (63 - p); });
  run_batch(key, backend, table, std::max<std::size_t>(count / 8, 1), rng);
  const auto start = std::chrono::steady_clock::now();
  run_batch(key, backend, table, count, rng);
  return {count, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

}  // namespace veil::app
