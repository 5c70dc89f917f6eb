#pragma once
// The FHE stage of resnet18_fhe (--run-fhe) on one compiled program: the statistics summary,
// client key generation, a measured PBS rate and the time estimate, then for each image
// encryption, the server's run (progress bar in PBS), decryption, and the comparison with the
// FHE simulation of the same image on the same program (its per-node error probabilities).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "veil/compiler/fhe_program.hpp"
#include "veil/compiler/statistics.hpp"
#include "veil/fhe/parameter_sets.hpp"
#include "veil/nn/fp32_evaluation.hpp"
#include "veil/nn/quant/integer_executor.hpp"
#include "veil/runtime/distributed.hpp"
#include "veil/runtime/server.hpp"

namespace veil::app {

struct FheStageSettings {
  std::size_t threads = 0;  // 0: all cores
  bool use_gpu = false;
  /// Seed and rounding method of the simulation compared with; its error probabilities and
  /// output noise are the program's (compiler::simulate_as_compiled).
  nn::quant::SimulationSettings simulation;
  /// Simulation image number of images[0] (the draws depend on it): the image's position
  /// among the evaluation images, so that the comparison is with the simulation reported.
  std::uint64_t first_simulation_image = 0;
  /// More simulations of each FHE image (fresh misreads each) counting each class's top-1s: one
  /// FHE run is one draw from that distribution, so a near tie shows as a split, not a mismatch.
  std::size_t simulation_draws = 64;
  std::size_t rate_pbs = 0;  // PBS of the rate calibration; 0: calibration_pbs_count(threads)
  /// Toy parameter sets (tests only) and reproducible keys and encryptions (tests only).
  fhe::AllowInsecure allow = fhe::AllowInsecure::no;
  std::optional<std::uint64_t> insecure_seed_for_tests;
  std::ostream* progress = nullptr;  // stage lines and the PBS progress bar; null: silent
  bool interactive = false;          // redraw the progress bar in place
  /// Rank 0 of an MPI job (run_distributed, fhe_stage_distributed.hpp): the stage broadcasts the
  /// server key it makes to the other ranks and splits every batch over all ranks; the rate
  /// calibration stays on this rank. One stage per session. Null: this process alone.
  runtime::distributed::Session* session = nullptr;
};

/// One image through real FHE, next to the simulation and the noise-free run of the program.
struct FheImageResult {
  std::string key;
  std::int64_t label = -1;
  double encrypt_seconds = 0, decrypt_seconds = 0;
  runtime::ServerRunStats server;  // the server's run: time, PBS, memory
  std::vector<std::int64_t> fhe_top5, simulation_top5, clear_top5;
  std::size_t outputs_off_clear = 0;                            // output integers that differ from the noise-free run
  std::size_t outputs_beyond_bound = 0;                         // Client::outputs_beyond_bound of the FHE output
  std::vector<std::pair<std::int64_t, std::size_t>> draw_top1;  // (class, simulated draws with it top-1), most first

  bool top5_equal() const { return fhe_top5 == simulation_top5; }
  bool top1_equal() const { return fhe_top5.front() == simulation_top5.front(); }
  std::size_t draws() const;                // simulated draws counted in draw_top1
  std::size_t draws_with_fhe_top1() const;  // those whose top-1 is the FHE run's
};

struct FheStageResult {
  compiler::CircuitStatistics statistics;
  double pbs_per_second = 0;  // the calibration's rate on the program's parameter set
  /// With a crop's run: the full-size program's PBS and its calibrated rate (0: no full image).
  std::uint64_t full_image_pbs = 0;
  double full_image_pbs_per_second = 0;
  double keygen_seconds = 0;
  std::vector<FheImageResult> images;
  std::uint64_t peak_rss_bytes = 0;  // the process's, after the last image
};

/// Runs `program` on `images` (each image of the program's input shape; InvalidArgument
/// otherwise or when empty), writing the stage's report lines to `out` as it goes. With
/// `full_image` (the program of the full-size input when `program` is a crop's), the time
/// estimate of one full image on this machine is printed first. With settings.session, the
/// report adds the key's broadcast and what each rank evaluated.
void run_fhe_stage(const compiler::FheProgram& program, const compiler::FheProgram* full_image,
                   std::span<const LabelledImage> images, const FheStageSettings& settings, std::ostream& out,
                   FheStageResult& result);

}  // namespace veil::app
