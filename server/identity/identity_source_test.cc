#include "server/identity/identity_source.h"

#include <memory>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

// A source presented when the call carries a workload token; answers with
// `id`, or keeps `done` to answer later.
class FakeSource final : public IdentitySource {
 public:
  FakeSource(std::string id, bool answer_later)
      : id_(std::move(id)), answer_later_(answer_later) {}
  bool Presented(const CallCredentials& call) const override {
    return !call.workload_tokens.empty();
  }
  void Identify(const CallCredentials&, Done done) override {
    if (answer_later_) {
      pending_ = std::move(done);
      return;
    }
    Caller caller;
    caller.id = id_;
    std::move(done)(caller);
  }
  void AnswerNow() {
    Caller caller;
    caller.id = id_;
    std::move(pending_)(caller);
  }

 private:
  std::string id_;
  bool answer_later_;
  Done pending_;
};

TEST(IdentityChainTest, NoCredentialIsAnonymous) {
  IdentityChain chain({});
  std::string got;
  chain.Identify({}, [&](absl::StatusOr<Caller> c) { got = c->id; });
  EXPECT_EQ(got, "anonymous");
}

TEST(IdentityChainTest, TheFirstPresentedSourceDecidesEvenLater) {
  std::vector<std::unique_ptr<IdentitySource>> sources;
  auto later = std::make_unique<FakeSource>("spiffe://td/later", true);
  FakeSource* later_source = later.get();
  sources.push_back(std::move(later));
  sources.push_back(std::make_unique<FakeSource>("spiffe://td/second", false));
  IdentityChain chain(std::move(sources));
  CallCredentials call;
  call.workload_tokens = {"t"};
  std::string got;
  chain.Identify(call, [&](absl::StatusOr<Caller> c) { got = c->id; });
  EXPECT_EQ(got, "");
  later_source->AnswerNow();
  EXPECT_EQ(got, "spiffe://td/later");
}

}  // namespace
}  // namespace vercel_tokens
