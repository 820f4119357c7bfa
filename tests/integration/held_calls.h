#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_HELD_CALLS_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_HELD_CALLS_H_

#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {

// `count` GetAuthToken("current") calls with the seed account's token, made
// with gRPC's callback client API so that no test thread waits on any of
// them. Tests hold them upstream (a fake "hold" fault) to keep the server
// busy. Thread-safe.
class HeldCalls {
 public:
  HeldCalls(vercel::authentication::v1::UserTokensService::Stub* stub,
            int count, absl::Duration deadline);

  HeldCalls(const HeldCalls&) = delete;
  HeldCalls& operator=(const HeldCalls&) = delete;

  // Waits until every call has finished; false after 30 s.
  bool AwaitAll();

  // How many calls have finished.
  int done();

  // Each call's status (OK for one still running).
  std::vector<grpc::Status> statuses();

 private:
  struct Call {
    grpc::ClientContext context;
    vercel::authentication::v1::GetAuthTokenRequest request;
    vercel::authentication::v1::GetAuthTokenResponse response;
    grpc::Status status;
  };

  std::vector<Call> calls_;
  absl::Mutex mu_;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_HELD_CALLS_H_
