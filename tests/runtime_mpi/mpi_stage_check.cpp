// resnet18_fhe's FHE stage as one rank of an MPI job: what `mpirun -np R resnet18_fhe --run-fhe
// --distributed` runs after its clear stages (app::run_distributed: rank 0 makes the
// keys and broadcasts the server key, the other ranks serve), on the CLI tests' small network and
// toy set. Driven by tests/scripts/mpi_stage_check.sh:
//   mpi_stage_check single OUT   one process without MPI: the stage's results into OUT
//   mpi_stage_check run OUT T    every rank, rank timeout T s: rank 0 writes the results into OUT
//                                and the stage's report to stdout
// Keys and encryptions are seeded, so an exact split writes the same OUT as the single run.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli_test_network.hpp"
#include "veil/app/stages/fhe_stage_distributed.hpp"
#include "veil/common/error.hpp"

using namespace veil;
using namespace veil::app;
using namespace veil::app::testing;

namespace {

FheStageSettings toy_settings() {
  FheStageSettings settings;
  settings.threads = 1;
  settings.allow = fhe::AllowInsecure::for_tests;
  settings.insecure_seed_for_tests = 17;
  settings.rate_pbs = 8;
  settings.simulation_draws = 4;
  return settings;
}

std::string labels(const std::vector<std::int64_t>& top5) {
  std::string text;
  for (const std::int64_t label : top5) (text += ' ') += std::to_string(label);
  return text;
}

// Runs the stage on one image and writes what it decrypted and compared, not its timings.
void run_stage(const FheStageSettings& settings, const std::string& out_file, std::ostream& report) {
  std::vector<LabelledImage> images(1);
  images[0].key = "img0";
  images[0].image = test_image(0);
  FheStageResult result;
  run_fhe_stage(test_program(), nullptr, images, settings, report, result);
  std::ofstream out(out_file);
  for (const FheImageResult& image : result.images)
    out << image.key << ": fhe" << labels(image.fhe_top5) << "; clear" << labels(image.clear_top5) << "; simulation"
        << labels(image.simulation_top5) << "; outputs off the noise-free run " << image.outputs_off_clear << "; PBS "
        << image.server.pbs << "\n";
  if (!out.flush()) throw IoError("cannot write " + out_file);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc >= 3 ? argv[1] : "";
  if (!((mode == "single" && argc == 3) || (mode == "run" && argc == 4))) {
    std::fprintf(stderr, "usage: mpi_stage_check single OUT | run OUT T\n");
    return 64;
  }
  try {
    if (mode == "single") {
      std::ostringstream report;
      run_stage(toy_settings(), argv[2], report);
      return 0;
    }
    run_distributed(runtime::distributed::Options{std::stod(argv[3])}, toy_settings(),
                    [&](runtime::distributed::Session& session) {
                      FheStageSettings settings = toy_settings();
                      settings.session = &session;
                      run_stage(settings, argv[2], std::cout);
                    });
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "mpi_stage_check %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
}
