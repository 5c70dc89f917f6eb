// The main() of every test suite executable: GoogleTest's, plus one guard. When a fixture's
// SetUpTestSuite throws or fails, GoogleTest reports each of its tests as skipped, and ctest
// (gtest_discover_tests' skip pattern) counts skips as not run rather than failed: a broken
// set-up would hide a whole suite. The guard stops the process with status 1 before the first
// such test is reported.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

namespace {

class SuiteSetUpGuard : public ::testing::EmptyTestEventListener {
  void OnTestStart(const ::testing::TestInfo& info) override {
    const ::testing::TestSuite* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (suite != nullptr && suite->ad_hoc_test_result().Failed()) {
      std::printf("[  FAILED  ] %s: its SetUpTestSuite failed (above), so its tests cannot run\n",
                  info.test_suite_name());
      std::fflush(stdout);
      std::_Exit(1);
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::UnitTest::GetInstance()->listeners().Append(new SuiteSetUpGuard);
  return RUN_ALL_TESTS();
}
