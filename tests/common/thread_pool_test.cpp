#include "veil/common/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>

namespace veil {

TEST(ThreadPool, VisitsEveryIndexOnceWithDistinctWorkers) {
  ThreadPool pool(4);
  for (std::size_t count : {1u, 7u, 1000u, 100000u}) {
    std::vector<std::atomic<int>> hits(count);
    std::vector<std::atomic<int>> busy(pool.size());
    pool.parallel_for(count, 1, [&](std::size_t b, std::size_t e, std::size_t w) {
      ASSERT_LT(w, pool.size());
      EXPECT_EQ(busy[w].fetch_add(1), 0) << "worker index shared by two concurrent chunks";
      for (std::size_t i = b; i < e; ++i) hits[i]++;
      busy[w].fetch_sub(1);
    });
    for (std::size_t i = 0; i < count; ++i) ASSERT_EQ(hits[i].load(), 1) << "index " << i << " of " << count;
  }
}

TEST(ThreadPool, RethrowsTaskErrorsAndStaysUsable) {
  ThreadPool pool(3);
  EXPECT_THROW(pool.parallel_for(100, 1,
                                 [](std::size_t b, std::size_t, std::size_t) {
                                   if (b >= 50) throw std::runtime_error("boom");
                                 }),
               std::runtime_error);
  std::atomic<long> sum{0};
  pool.parallel_for(1000, 10, [&](std::size_t b, std::size_t e, std::size_t) {
    for (std::size_t i = b; i < e; ++i) sum += static_cast<long>(i);
  });
  EXPECT_EQ(sum.load(), 999L * 1000 / 2);
}

}  // namespace veil
