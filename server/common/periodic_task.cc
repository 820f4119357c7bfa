#include "server/common/periodic_task.h"

#include <utility>

namespace vercel_tokens {

PeriodicTask::PeriodicTask(absl::Duration interval,
                           absl::AnyInvocable<void()> task)
    : interval_(interval), task_(std::move(task)) {
  thread_ = std::thread([this] { Run(); });
}

PeriodicTask::~PeriodicTask() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void PeriodicTask::Run() {
  while (true) {
    task_();
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), interval_)) return;
  }
}

}  // namespace vercel_tokens
