#pragma once
// Shared by the runtime suites: the small seeded ResNet quantized in the settings the tests
// use (each once per process), keys per parameter set (each once per process, seeded so that
// failures reproduce), and encryption / decryption helpers that bypass the Client so that the
// server is tested on its own.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/common/thread_pool.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/client_key.hpp"
#include "veil/fhe/seeded_lwe.hpp"
#include "veil/fhe/serialize.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/nn/quant/quantized_circuit.hpp"

namespace veil::runtime::testing {

/// All cores (the suite's budget assumes 2).
ThreadPool& test_pool();

/// The small ResNet (seed 5) for input_size x input_size images, quantized without lookup
/// rounding unless `rounding_bits`, calibrated on 16 seeded images; cached.
const nn::quant::QuantizedCircuit& small_circuit(nn::quant::QuantizationMode mode, nn::quant::NBits n_bits,
                                                 std::optional<int> rounding_bits, std::int64_t input_size);

/// n seeded evaluation images [n, 3, S, S] (not the calibration images).
Tensor small_images(std::int64_t n, std::int64_t input_size);
/// Image `index` of a batch, [3, S, S].
Tensor image_at(const Tensor& images, std::int64_t index);

/// The integer executor's output integers for one image [3, S, S].
std::vector<std::int64_t> clear_integers(const nn::quant::QuantizedCircuit& circuit, const Tensor& image);

/// Options that force `set` (toy sets allowed) at `p_error`.
compiler::CompileOptions forced_set(const std::string& set, double p_error = 0x1p-40);

struct TestKeys {
  fhe::ClientKey client;
  fhe::IdentifiedServerKey server;
};
/// Keys for a registry set (toy or vetted), made once per (set, seed).
const TestKeys& test_keys(const std::string& set, std::uint64_t seed = 1);

/// The program's input for one image: QuantizeInput, then seeded encryption at the input's
/// exponent, bound to the program's client spec (what the Client does, without it).
fhe::SeededLweBatch encrypt_image(const compiler::FheProgram& program, const fhe::ClientKey& key, const Tensor& image,
                                  std::uint64_t seed);

/// round(phase / 2^exponent) of every ciphertext, as signed integers.
std::vector<std::int64_t> decrypt_integers(const fhe::ClientKey& key, const fhe::LweCiphertextArray& cts, int exponent);

/// The circuit's nodes up to and including `last`, with `last` as output.
nn::quant::QuantizedCircuit circuit_prefix(const nn::quant::QuantizedCircuit& circuit, nn::quant::QValueId last);

}  // namespace veil::runtime::testing
