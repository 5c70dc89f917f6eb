#pragma once
// Test oracle: evaluates an FheProgram on noiseless phases in Z/2^64, exactly as the runtime
// does on ciphertexts: values are q * 2^exponent, linear nodes lift their inputs and add clear
// multiples, a PBS reads index round(phase / 2^(63-p)) mod 2^(p+1) (half up) with the
// negacyclic table rule and writes its entry at the table's exponent, max-pools follow nn's
// pairwise schedules, and the output decodes signed from its exponent. Equal to
// nn::quant::IntegerExecutor::run_integers, this proves the encodings before any crypto runs.
#include <cstdint>
#include <vector>

#include "veil/compiler/fhe_program.hpp"

namespace veil::compiler::testing {

class PhaseEvaluator {
 public:
  explicit PhaseEvaluator(const FheProgram& program) : program_(program) {}

  /// One image (the input node's element count of floats) -> the decoded output integers.
  std::vector<std::int64_t> run(const float* image);

  /// PBS whose phase sat exactly on a rounding tie (half a step below the next index).
  std::uint64_t ties() const { return ties_; }
  std::uint64_t pbs() const { return pbs_; }

 private:
  using Phases = std::vector<std::uint64_t>;
  void eval(std::size_t v, std::vector<Phases>& values, const float* image);
  std::uint64_t read(const nn::quant::LookupAttrs& lookup, std::int64_t channel, std::uint64_t phase,
                     int output_exponent);

  const FheProgram& program_;
  std::uint64_t ties_ = 0, pbs_ = 0;
};

}  // namespace veil::compiler::testing
