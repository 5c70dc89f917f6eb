#include "veil/common/thread_pool.hpp"

#include <algorithm>

namespace veil {

ThreadPool::ThreadPool(std::size_t threads) {
  if (threads == 0) threads = std::max<std::size_t>(1, std::thread::hardware_concurrency());
  for (std::size_t w = 1; w < threads; ++w) workers_.emplace_back([this, w] { worker_loop(w); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_chunks(std::size_t worker) {
  for (;;) {
    std::size_t begin;
    {
      std::lock_guard lock(mutex_);
      if (next_ >= count_) return;
      begin = next_;
      next_ = std::min(count_, next_ + chunk_);
    }
    const std::size_t end = std::min(count_, begin + chunk_);
    try {
      (*body_)(begin, end, worker);
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = std::current_exception();
      next_ = count_;  // stop handing out work
    }
  }
}

void ThreadPool::worker_loop(std::size_t worker) {
  std::size_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      ++active_workers_;
    }
    run_chunks(worker);
    {
      std::lock_guard lock(mutex_);
      if (--active_workers_ == 0) done_.notify_all();
    }
  }
}

void ThreadPool::parallel_for(std::size_t count, std::size_t grain,
                              const std::function<void(std::size_t, std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  grain = std::max<std::size_t>(1, grain);
  // About 4 chunks per thread balances uneven work without much locking.
  const std::size_t target = std::max<std::size_t>(1, count / (4 * size()));
  {
    std::lock_guard lock(mutex_);
    body_ = &body;
    count_ = count;
    chunk_ = std::max(grain, target);
    next_ = 0;
    error_ = nullptr;
    ++generation_;
  }
  if (!workers_.empty() && count > chunk_) wake_.notify_all();
  run_chunks(0);
  {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [&] { return active_workers_ == 0 && next_ >= count_; });
    body_ = nullptr;
  }
  if (error_) std::rethrow_exception(error_);
}

}  // namespace veil
