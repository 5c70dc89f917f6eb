// The CLI's run step as one rank of an MPI job (what `mpirun -np R veil_fhe run --distributed`
// does), on the CLI tests' small network and toy set. Driven by tests/scripts/mpi_cli_check.sh:
//   mpi_cli_check prepare DIR   one process: compile, keys, an encrypted image, and the
//                               single-process run's output DIR/single.lwe
//   mpi_cli_check run DIR OUT T every rank: run_step --distributed with rank timeout T s into OUT
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>

#include "app/cli_test_network.hpp"
#include "veil/app/steps/veil_fhe_steps.hpp"
#include "veil/common/error.hpp"
#include "veil/fhe/csprng.hpp"
#include "veil/runtime/distributed.hpp"

using namespace veil;
using namespace veil::app;
using namespace veil::app::testing;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const std::string mode = argc >= 3 ? argv[1] : "";
  if (!((mode == "prepare" && argc == 3) || (mode == "run" && argc == 5))) {
    std::fprintf(stderr, "usage: mpi_cli_check prepare DIR | run DIR OUT T\n");
    return 64;
  }
  const fs::path dir = argv[2];
  constexpr auto kAllow = fhe::AllowInsecure::for_tests;
  const fs::path model = dir / "model" / kModelFile, key = dir / "keys" / kServerKeyFile, input = dir / "input.slwe";
  try {
    if (mode == "prepare") {
      std::ostringstream log;
      compile_step(test_graph(), test_calibration(), test_config(), test_compile_options(), 2, dir / "model", log);
      fhe::Csprng rng = fhe::Csprng::from_seed_insecure_for_tests(5);
      keygen_step(dir / "model" / kClientSpecFile, dir / "keys", 2, rng, kAllow, log);
      encrypt_step(dir / "model" / kClientSpecFile, dir / "keys" / kClientKeyFile, test_image(0), input, rng, log,
                   kAllow);
      run_step(model, key, input, dir / "single.lwe", 2, false, kAllow, nullptr, false, log);
      return 0;
    }
    const runtime::distributed::Options options{std::stod(argv[4])};
    run_step(model, key, input, argv[3], 1, false, kAllow, nullptr, false, std::cout, &options);
    return 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "mpi_cli_check %s: %s\n", mode.c_str(), e.what());
    return 1;
  }
}
