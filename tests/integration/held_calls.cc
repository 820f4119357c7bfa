#include "tests/integration/held_calls.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {

HeldCalls::HeldCalls(vercel::authentication::v1::UserTokensService::Stub* stub,
                     int count, absl::Duration deadline)
    : calls_(count) {
  for (Call& call : calls_) {
    call.context.AddMetadata("authorization",
                             absl::StrCat("Bearer ", kSeedSecret));
    call.context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    call.request.set_token_id("current");
    stub->async()->GetAuthToken(&call.context, &call.request, &call.response,
                                [this, &call](grpc::Status status) {
                                  absl::MutexLock lock(&mu_);
                                  call.status = std::move(status);
                                  ++done_;
                                });
  }
}

bool HeldCalls::AwaitAll() {
  absl::MutexLock lock(&mu_);
  const int count = static_cast<int>(calls_.size());
  auto all_done = [this, count]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return done_ == count;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&all_done), absl::Seconds(30));
}

int HeldCalls::done() {
  absl::MutexLock lock(&mu_);
  return done_;
}

std::vector<grpc::Status> HeldCalls::statuses() {
  absl::MutexLock lock(&mu_);
  std::vector<grpc::Status> out;
  for (const Call& call : calls_) out.push_back(call.status);
  return out;
}

}  // namespace vercel_tokens::integration
