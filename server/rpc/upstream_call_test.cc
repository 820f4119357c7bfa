#include "server/rpc/upstream_call.h"

#include <deque>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

// A transport that records what is submitted and completes transfers only
// when the test says so, on the test's thread.
class FakeTransport final : public UpstreamTransport {
 public:
  struct Sent {
    uint64_t id;
    UpstreamRequest request;
    absl::Time deadline;
    absl::Time not_before;
    Callback done;
  };

  absl::StatusOr<uint64_t> Submit(UpstreamRequest request, absl::Time deadline,
                                  Callback done,
                                  absl::Time not_before) override {
    if (refuse) return absl::UnavailableError("shutting down");
    sent.push_back(
        {next_id, std::move(request), deadline, not_before, std::move(done)});
    ++submitted;
    return next_id++;
  }
  void Cancel(uint64_t id) override { cancelled.push_back(id); }

  // Completes the oldest outstanding transfer with `result`.
  void Complete(absl::StatusOr<UpstreamResponse> result) {
    ASSERT_FALSE(sent.empty());
    Sent transfer = std::move(sent.front());
    sent.pop_front();
    std::move(transfer.done)(std::move(result));
  }

  bool refuse = false;
  int submitted = 0;
  uint64_t next_id = 1;
  std::deque<Sent> sent;
  std::vector<uint64_t> cancelled;
};

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1700000000);
};

UpstreamResponse Response(long status, std::string body = "{}") {
  UpstreamResponse response;
  response.http_status = status;
  response.body = std::move(body);
  return response;
}

// A GET of GetAuthToken, or one that is not idempotent (like VerifyToken's).
UpstreamRequest Request(bool idempotent = true) {
  UpstreamRequest request;
  request.method = HttpMethod::kGet;
  request.idempotent = idempotent;
  request.endpoint = "GET /v5/user/tokens/{tokenId}";
  request.target = "/v5/user/tokens/current";
  request.bearer_token = "secret-token-123";
  return request;
}

class UpstreamCallTest : public ::testing::Test {
 protected:
  UpstreamCallParams Params() {
    UpstreamCallParams params;
    params.transport = &transport_;
    params.clock = &clock_;
    params.logger = &logger_;
    params.metrics = &metrics_;
    params.retry_policy.initial_backoff = absl::Milliseconds(100);
    params.method = "GetAuthToken";
    params.peer = "ipv4:127.0.0.1:5000";
    params.start = clock_.now;
    params.deadline = clock_.now + absl::Seconds(10);
    params.secrets = {"secret-token-123"};
    return params;
  }

  // Starts a call with `first`; `on_success` defaults to "done".
  void Start(UpstreamRequest first, OnUpstreamSuccess on_success = nullptr,
             UpstreamCallParams params = {}) {
    if (params.transport == nullptr) params = Params();
    if (on_success == nullptr) {
      on_success = [](const UpstreamRequest&, const UpstreamResponse&)
          -> absl::StatusOr<std::optional<UpstreamRequest>> {
        return std::nullopt;
      };
    }
    call_ = std::make_unique<UpstreamCall>(
        std::move(params), std::move(on_success), [this](CallOutcome o) {
          ++outcomes_;
          outcome_ = std::move(o);
        });
    call_->Run(std::move(first));
  }

  std::string Log() const { return log_.str(); }

  FakeTransport transport_;
  FakeClock clock_;
  std::ostringstream log_;
  Logger logger_{&log_, LogLevel::kDebug};
  Metrics metrics_{std::make_shared<prometheus::Registry>()};
  std::unique_ptr<UpstreamCall> call_;
  int outcomes_ = 0;
  std::optional<CallOutcome> outcome_;
};

TEST_F(UpstreamCallTest, SuccessRelaysRateLimitHeadersAndLogsOneLine) {
  Start(Request());
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_FALSE(outcome_.has_value());  // Run never waits for the answer.
  UpstreamResponse response = Response(200);
  response.headers = {{"x-ratelimit-remaining", "99"},
                      {"x-ratelimit-limit", "not-a-number"}};
  clock_.now += absl::Milliseconds(250);
  transport_.Complete(response);

  ASSERT_EQ(outcomes_, 1);
  EXPECT_TRUE(outcome_->status.ok());
  EXPECT_EQ(outcome_->initial_metadata,
            (std::vector<std::pair<std::string, std::string>>{
                {"x-ratelimit-remaining", "99"}}));
  EXPECT_TRUE(absl::StrContains(Log(), R"("method":"GetAuthToken")"));
  EXPECT_TRUE(absl::StrContains(Log(), R"("code":"OK")"));
  EXPECT_TRUE(absl::StrContains(Log(), R"("latency_ms":250)")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), R"("peer":"ipv4:127.0.0.1:5000")"));
}

TEST_F(UpstreamCallTest, StatusLabelStaysBoundedWhateverTheUpstreamAnswers) {
  // 120 distinct statuses, 100, 104, .. 576, one call each.
  for (long status = 100; status < 580; status += 4) {
    Start(Request(/*idempotent=*/false));
    transport_.Complete(Response(status));
  }

  size_t series = 0;
  for (const prometheus::MetricFamily& family :
       metrics_.registry()->Collect()) {
    if (family.name == "vercel_tokens_upstream_requests_total") {
      series = family.metric.size();
    }
  }
  // 200, 400, 404, 500, 504 as themselves, then 1xx, 2xx, 3xx, 4xx, 5xx
  // (before, one series per status: 120).
  EXPECT_EQ(series, 10u);
  EXPECT_TRUE(absl::StrContains(Log(), R"("upstream_status":"576")"))
      << "the log line keeps the exact status";
}

TEST_F(UpstreamCallTest, RelaysVercelsRequestIdOnSuccessAndError) {
  Start(Request());
  UpstreamResponse ok = Response(200);
  ok.headers = {{"x-vercel-id", "fra1::ok-1"}};
  transport_.Complete(ok);
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->initial_metadata,
            (std::vector<std::pair<std::string, std::string>>{
                {"x-vercel-id", "fra1::ok-1"}}));
  EXPECT_TRUE(absl::StrContains(Log(), R"("vercel_request_id":"fra1::ok-1")"));

  Start(Request());
  UpstreamResponse missing = Response(404);
  missing.headers = {{"x-vercel-id", "fra1::err-2"}};
  transport_.Complete(missing);
  ASSERT_EQ(outcomes_, 2);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kNotFound);
  auto info = DetailOf<google::rpc::ErrorInfo>(outcome_->status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("vercel_request_id"), "fra1::err-2");
  EXPECT_EQ(info->metadata().at("http_status"), "404");
}

TEST_F(UpstreamCallTest, RetriesAFailedGetAfterABackoffWithoutWaiting) {
  Start(Request());
  transport_.Complete(Response(503));
  ASSERT_EQ(transport_.sent.size(), 1u) << "the retry is submitted at once";
  EXPECT_FALSE(outcome_.has_value());
  EXPECT_GE(transport_.sent.front().not_before,
            clock_.now + absl::Milliseconds(50));
  EXPECT_LE(transport_.sent.front().not_before,
            clock_.now + absl::Milliseconds(100));
  transport_.Complete(Response(200));
  ASSERT_EQ(outcomes_, 1);
  EXPECT_TRUE(outcome_->status.ok());
  EXPECT_TRUE(absl::StrContains(Log(), R"("upstream_requests":2)")) << Log();
}

TEST_F(UpstreamCallTest, DoesNotRetryWhatIsNotIdempotent) {
  Start(Request(/*idempotent=*/false));
  transport_.Complete(Response(503));
  EXPECT_EQ(transport_.submitted, 1);
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(UpstreamCallTest, FollowsPagesUntilTheHandlerIsDone) {
  int pages = 0;
  Start(Request(),
        [&pages](const UpstreamRequest& sent, const UpstreamResponse&)
            -> absl::StatusOr<std::optional<UpstreamRequest>> {
          if (++pages == 3) return std::nullopt;
          UpstreamRequest next = sent;
          next.target = absl::StrCat("/page/", pages + 1);
          return next;
        });
  transport_.Complete(Response(200));
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent.front().request.target, "/page/2");
  transport_.Complete(Response(200));
  transport_.Complete(Response(200));
  ASSERT_EQ(outcomes_, 1);
  EXPECT_TRUE(outcome_->status.ok());
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(absl::StrContains(Log(), R"("upstream_requests":3)"));
}

TEST_F(UpstreamCallTest, CancelAbortsTheTransferInFlight) {
  Start(Request());
  call_->Cancel();
  EXPECT_EQ(transport_.cancelled, std::vector<uint64_t>{1});
  transport_.Complete(absl::CancelledError("the call was cancelled"));
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kCancelled);
}

TEST_F(UpstreamCallTest, CancelLosingTheRaceStillStopsTheRetry) {
  Start(Request());
  call_->Cancel();
  // The transfer completed before the transport saw the cancel.
  transport_.Complete(Response(503));
  EXPECT_EQ(transport_.submitted, 1);
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kCancelled);
}

TEST_F(UpstreamCallTest, CancelLosingTheRaceStillStopsTheNextPage) {
  Start(Request(),
        [](const UpstreamRequest& sent, const UpstreamResponse&)
            -> absl::StatusOr<std::optional<UpstreamRequest>> { return sent; });
  call_->Cancel();
  transport_.Complete(Response(200));
  EXPECT_EQ(transport_.submitted, 1);
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kCancelled);
}

TEST_F(UpstreamCallTest, SlowUpstreamEndsWithUpstreamTimeoutBeforeTheDeadline) {
  UpstreamCallParams params = Params();
  params.deadline = params.start + absl::Milliseconds(300);
  Start(Request(), nullptr, std::move(params));
  ASSERT_EQ(transport_.sent.size(), 1u);
  const absl::Time bound = transport_.sent.front().deadline;
  EXPECT_LT(bound, clock_.now + absl::Milliseconds(300));
  EXPECT_GE(bound, clock_.now + absl::Milliseconds(250));

  clock_.now = bound;
  transport_.Complete(absl::DeadlineExceededError(
      "the Vercel API was too slow: no answer before the deadline"));
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kDeadlineExceeded);
  auto info = DetailOf<google::rpc::ErrorInfo>(outcome_->status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_TIMEOUT");
  EXPECT_TRUE(absl::StrContains(Log(), R"("level":"warning")")) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "too slow"));
}

TEST_F(UpstreamCallTest, UpstreamDeadlineLeavesTheCallTimeToAnswer) {
  const absl::Time start = absl::FromUnixSeconds(1000);
  EXPECT_EQ(UpstreamDeadline(start, start + absl::Seconds(1)),
            start + absl::Milliseconds(950));
  EXPECT_EQ(UpstreamDeadline(start, start + absl::Seconds(30)),
            start + absl::Seconds(30) - absl::Milliseconds(250));
  EXPECT_EQ(UpstreamDeadline(start, absl::InfiniteFuture()),
            absl::InfiniteFuture());
}

TEST_F(UpstreamCallTest, ATransportShuttingDownFailsTheCallUnavailable) {
  transport_.refuse = true;
  Start(Request());
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(UpstreamCallTest, TheLogNeverHoldsTheToken) {
  Start(Request());
  transport_.Complete(
      Response(403, R"({"error":{"code":"forbidden",)"
                    R"("message":"token secret-token-123 is not valid"}})"));
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(absl::StrContains(Log(), "secret-token-123")) << Log();
  EXPECT_FALSE(
      absl::StrContains(outcome_->status.message(), "secret-token-123"));
}

}  // namespace
}  // namespace vercel_tokens

namespace vercel_tokens {
namespace {

TEST_F(UpstreamCallTest, ExpireAnswersTheCallerAndTheLateTokenGoesToOnOrphan) {
  UpstreamCallParams params = Params();
  params.method = "CreateAuthToken";
  params.orphan_grace = absl::Minutes(2);
  int orphans = 0;
  std::vector<absl::StatusCode> settled;
  params.on_orphan = [&orphans](const UpstreamResponse&) { ++orphans; };
  params.on_settled = [&settled](const absl::Status& s) {
    settled.push_back(s.code());
  };
  Start(Request(/*idempotent=*/false), nullptr, std::move(params));
  // The POST may outlive the caller's deadline.
  ASSERT_EQ(transport_.sent.size(), 1u);
  EXPECT_EQ(transport_.sent.front().deadline,
            clock_.now + absl::Seconds(10) + absl::Minutes(2));
  bool released = false;
  call_->SetOnReleased([&released] { released = true; });

  call_->Expire();
  ASSERT_EQ(outcomes_, 1);
  EXPECT_EQ(outcome_->status.code(), absl::StatusCode::kDeadlineExceeded);
  auto info = DetailOf<google::rpc::ErrorInfo>(outcome_->status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_TIMEOUT");
  EXPECT_TRUE(settled.empty());  // The POST still runs.
  EXPECT_FALSE(released);

  transport_.Complete(Response(200));
  EXPECT_EQ(outcomes_, 1);  // Answered once.
  EXPECT_EQ(orphans, 1);
  ASSERT_EQ(settled.size(), 1u);
  EXPECT_NE(settled[0], absl::StatusCode::kOk);
  EXPECT_TRUE(released);
}

TEST_F(UpstreamCallTest, ExpireAfterTheAnswerDoesNothing) {
  UpstreamCallParams params = Params();
  params.on_orphan = [](const UpstreamResponse&) {};
  Start(Request(), nullptr, std::move(params));
  transport_.Complete(Response(200));
  ASSERT_EQ(outcomes_, 1);
  call_->Expire();
  EXPECT_EQ(outcomes_, 1);
  EXPECT_TRUE(outcome_->status.ok());
}

}  // namespace
}  // namespace vercel_tokens
