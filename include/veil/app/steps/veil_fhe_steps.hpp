#pragma once
// The steps of apps/veil_fhe, each through files, so that client and server can run them on
// different machines. Files: model.qcir (the quantized circuit, compiler's model file),
// compile_options.json (what the server compiles it with: p_error target and the chosen
// parameter set, tied to the model by its fingerprint), client_spec.json (published to
// clients), statistics.json, client.key (secret), server.key, an encrypted image (.slwe,
// seeded LWE) and an encrypted output (.lwe). Every step prints its time and file sizes to
// `out`; every file is written under a temporary name and renamed (never half-written); bad or
// mismatched files throw FormatError / InvalidArgument naming the file.
#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "veil/common/tensor.hpp"
#include "veil/compiler/fhe_program.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/nn/graph.hpp"
#include "veil/nn/metrics.hpp"
#include "veil/nn/quant/quantization_config.hpp"
#include "veil/runtime/distributed.hpp"

namespace veil::app {

inline constexpr const char* kModelFile = "model.qcir";
inline constexpr const char* kCompileOptionsFile = "compile_options.json";
inline constexpr const char* kClientSpecFile = "client_spec.json";
inline constexpr const char* kStatisticsFile = "statistics.json";
inline constexpr const char* kClientKeyFile = "client.key";
inline constexpr const char* kServerKeyFile = "server.key";

/// compile (server): quantizes the BN-folded graph on calibration [N, input shape...], compiles
/// it, and writes out_dir/{model.qcir, compile_options.json, client_spec.json, statistics.json}.
void compile_step(const nn::Graph& folded_graph, const Tensor& calibration, const nn::quant::QuantizationConfig& config,
                  const compiler::CompileOptions& options, std::size_t threads, const std::filesystem::path& out_dir,
                  std::ostream& out);

/// keygen (client): a new secret key for the spec's parameter set; writes out_dir/client.key
/// and out_dir/server.key (the evaluation keys). Toy sets need AllowInsecure::for_tests.
void keygen_step(const std::filesystem::path& spec, const std::filesystem::path& out_dir, std::size_t threads,
                 fhe::Csprng& rng, fhe::AllowInsecure allow, std::ostream& out);

/// encrypt (client): one preprocessed image [C, H, W], centre-cropped to the spec's input
/// shape when larger, quantized and encrypted (seeded) to out_file.
void encrypt_step(const std::filesystem::path& spec, const std::filesystem::path& client_key, const Tensor& image,
                  const std::filesystem::path& out_file, fhe::Csprng& rng, std::ostream& out,
                  fhe::AllowInsecure allow = fhe::AllowInsecure::no);

/// run (server): loads model.qcir and compiles it with the compile_options.json beside it
/// (refused unless written for this model; the result must be the client_spec.json beside it),
/// runs it on the encrypted input with the server key, writes the encrypted output.
/// `progress`: PBS progress bar; null: none. `distributed`: run as one rank of an MPI job
/// (docs/distributed.md): every rank loads the same files, rank 0 reports and writes out_file.
void run_step(const std::filesystem::path& model, const std::filesystem::path& server_key,
              const std::filesystem::path& input, const std::filesystem::path& out_file, std::size_t threads,
              bool use_gpu, fhe::AllowInsecure allow, std::ostream* progress, bool interactive, std::ostream& out,
              const runtime::distributed::Options* distributed = nullptr);

/// decrypt (client): the encrypted output's top-5 classes (names when class_names has one per
/// logit), printed and returned.
std::vector<nn::Prediction> decrypt_step(const std::filesystem::path& spec, const std::filesystem::path& client_key,
                                         const std::filesystem::path& input,
                                         const std::vector<std::string>& class_names, std::ostream& out,
                                         fhe::AllowInsecure allow = fhe::AllowInsecure::no);

}  // namespace veil::app
