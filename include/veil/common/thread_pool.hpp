#pragma once
// A fixed pool of worker threads with a blocking parallel_for. Batch operations
// (PBS, key switching, convolutions) take a ThreadPool& so that callers decide
// how many cores a step may use. Exceptions thrown by tasks are rethrown in the
// caller (the first one wins); workers never die from them.
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace veil {

class ThreadPool {
 public:
  /// threads == 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(std::size_t threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Number of threads that run work, the calling thread included.
  std::size_t size() const { return workers_.size() + 1; }

  /// Calls body(begin, end, worker) over [0, count) split in contiguous chunks of at
  /// least `grain` items; `worker` is in [0, size()) and is unique among concurrent
  /// calls, so it can index per-thread scratch memory. Blocks until all chunks finish.
  /// Not reentrant: do not call parallel_for from inside body.
  void parallel_for(std::size_t count, std::size_t grain,
                    const std::function<void(std::size_t begin, std::size_t end, std::size_t worker)>& body);

 private:
  void worker_loop(std::size_t worker);
  void run_chunks(std::size_t worker);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(std::size_t, std::size_t, std::size_t)>* body_ = nullptr;
  std::size_t count_ = 0, chunk_ = 1, next_ = 0;
  std::size_t generation_ = 0;
  std::size_t active_workers_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace veil
