#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_PERIODIC_TASK_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_PERIODIC_TASK_H_

#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vercel_tokens {

// Runs `task` on a thread of its own: once at once, then every `interval`
// (measured from the end of one run to the start of the next) until
// destroyed. The task must be quick and must not block for long: it delays
// the destructor by at most one run. Destroying the PeriodicTask wakes the
// thread, waits for a run in progress and joins it; the task never runs
// afterwards. Not copyable; the task is owned.
class PeriodicTask {
 public:
  PeriodicTask(absl::Duration interval, absl::AnyInvocable<void()> task);
  ~PeriodicTask();

  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void Run();

  const absl::Duration interval_;
  absl::AnyInvocable<void()> task_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_PERIODIC_TASK_H_
