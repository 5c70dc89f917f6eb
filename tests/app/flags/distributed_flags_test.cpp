// veil_fhe run --distributed / --rank-timeout, and the refusal of a build without MPI.
// The distributed runs themselves are CTest runtime_mpi.* (under mpirun, tests/scripts/mpi_check.sh).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "veil/app/flags/backend_flag.hpp"
#include "veil/app/flags/veil_fhe_options.hpp"
#include "veil/common/error.hpp"
#include "veil/runtime/distributed.hpp"

namespace veil::app {
namespace {

VeilFheOptions parse(std::vector<std::string> args) { return parse_veil_fhe_cli(args); }

const std::vector<std::string> kRun{"run", "--model", "m", "--server-key", "k", "--input", "i", "--out", "o"};

std::vector<std::string> run_with(std::vector<std::string> extra) {
  std::vector<std::string> args = kRun;
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(DistributedFlags, OffByDefaultWithTenMinuteTimeout) {
  const VeilFheOptions o = parse(kRun);
  EXPECT_FALSE(o.distributed);
  EXPECT_EQ(o.rank_timeout, 600.0);
}

TEST(DistributedFlags, DistributedAndRankTimeout) {
  const VeilFheOptions o = parse(run_with({"--distributed", "--rank-timeout", "30"}));
  EXPECT_TRUE(o.distributed);
  EXPECT_EQ(o.rank_timeout, 30.0);
  EXPECT_THROW(parse(run_with({"--rank-timeout", "0"})), InvalidArgument);
  EXPECT_THROW(parse(run_with({"--rank-timeout", "soon"})), InvalidArgument);
  EXPECT_THROW(parse({"compile", "--out", "d", "--distributed"}), InvalidArgument);
}

// Four ranks on a machine with two GPUs share them two by two; without a GPU every rank asks for
// device 0 (whose backend then says why there is none).
TEST(DistributedFlags, RanksOfAMachineTakeItsGpusInTurn) {
  EXPECT_EQ(gpu_for_local_rank(0, 2), 0);
  EXPECT_EQ(gpu_for_local_rank(1, 2), 1);
  EXPECT_EQ(gpu_for_local_rank(2, 2), 0);
  EXPECT_EQ(gpu_for_local_rank(3, 2), 1);
  EXPECT_EQ(gpu_for_local_rank(5, 8), 5);
  EXPECT_EQ(gpu_for_local_rank(3, 0), 0);
}

TEST(DistributedFlags, BuildWithoutMpiRefusesClearly) {
  if (runtime::distributed::available()) GTEST_SKIP() << "this build has MPI (the stub is built with -DVEIL_MPI=OFF)";
  try {
    runtime::distributed::start_session(runtime::distributed::Options{});
    FAIL() << "start_session without MPI";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("veil was built without MPI"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace veil::app
