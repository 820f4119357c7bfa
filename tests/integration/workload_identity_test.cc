// Kubernetes workload identity end to end (issue 16): the real server with
// --kubernetes_token_review against the fake TokenReview API server
// (tests/fake_kubernetes/fake_token_review.py) and the fake Vercel API.

#include <curl/curl.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/temp_file.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kReviewerToken[] = "reviewer-sa-token";
constexpr char kDeployer[] = "spiffe://cluster.local/ns/billing/sa/deployer";

// A token the fake accepts (its signature part says so) unless told
// otherwise: the ServiceAccount billing/deployer, bound to pod api-1.
std::string WorkloadToken(absl::string_view audience = "vercel-user-tokens",
                          absl::Duration ttl = absl::Hours(1),
                          absl::string_view jti = "jti-1",
                          absl::string_view signature = "valid-signature") {
  const std::string payload = absl::StrCat(
      R"({"iss":"https://kubernetes.default.svc.cluster.local",)",
      R"("sub":"system:serviceaccount:billing:deployer","aud":[")", audience,
      R"("],"exp":)", absl::ToUnixSeconds(absl::Now() + ttl),
      R"(,"iat":1,"nbf":1,"jti":")", jti,
      R"(","kubernetes.io":{"namespace":"billing",)",
      R"("serviceaccount":{"name":"deployer","uid":"sa-uid-1"},)",
      R"("pod":{"name":"api-1","uid":"pod-uid-1"}}})");
  return absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"RS256"})"), ".",
                      absl::WebSafeBase64Escape(payload), ".",
                      absl::WebSafeBase64Escape(signature));
}

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// The fake API server in its own process, and its control API.
class FakeApiServer {
 public:
  static std::unique_ptr<FakeApiServer> Start() {
    auto process =
        Process::Start({VUT_PYTHON_PATH, VUT_FAKE_TOKEN_REVIEW_PATH, "--port",
                        "0", "--reviewer-token", kReviewerToken},
                       TestEnvironment());
    if (!process.ok()) return nullptr;
    auto line =
        (*process)->WaitForLine(Stream::kStdout, "PORT ", absl::Seconds(15));
    if (!line.ok()) return nullptr;
    absl::string_view port = *line;
    absl::ConsumePrefix(&port, "PORT ");
    auto fake = std::make_unique<FakeApiServer>();
    fake->process_ = *std::move(process);
    fake->url_ =
        absl::StrCat("http://127.0.0.1:", absl::StripAsciiWhitespace(port));
    return fake;
  }

  const std::string& url() const { return url_; }

  std::string Control(absl::string_view path, absl::string_view body = "") {
    CURL* easy = curl_easy_init();
    std::string out;
    const std::string url = absl::StrCat(url_, path);
    const std::string data(body);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    if (!body.empty()) curl_easy_setopt(easy, CURLOPT_POSTFIELDS, data.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Append);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &out);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 15L);
    EXPECT_EQ(curl_easy_perform(easy), CURLE_OK) << path;
    curl_easy_cleanup(easy);
    return out;
  }

  // Reviews received so far (held or answered).
  int Reviews() { return Count("\"reviews\": "); }
  int Held() { return Count("\"held\": "); }

  void WaitHeld(int count) {
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    while (Held() < count && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    ASSERT_GE(Held(), count);
  }

 private:
  int Count(absl::string_view key) {
    const std::string body = Control("/_fake/reviews");
    const size_t at = absl::string_view(body).find(key);
    int n = -1;
    if (at != std::string::npos) {
      absl::string_view rest = absl::string_view(body).substr(at + key.size());
      rest = rest.substr(0, rest.find_first_of(",}"));
      EXPECT_TRUE(absl::SimpleAtoi(rest, &n)) << body;
    }
    return n;
  }

  std::unique_ptr<Process> process_;
  std::string url_;
};

class WorkloadIdentityTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    api_ = FakeApiServer::Start();
    ASSERT_NE(api_, nullptr);
  }

  // A server reviewing tokens at `api_url` (default: the fake), with the
  // server token kSeedSecret and the policy: the deployer may Get and Delete
  // with the server's token; nobody else may do anything.
  std::unique_ptr<ServerProcess> StartReviewing(
      std::string api_url = "", std::vector<std::string> more = {}) {
    ServerOptions options;
    options.flags = {
        "--kubernetes_token_review",
        absl::StrCat("--kubernetes_api_url=",
                     api_url.empty() ? api_->url() : api_url),
        absl::StrCat("--kubernetes_token_file=", reviewer_token_.path()),
        absl::StrCat("--policy_file=", policy_.path())};
    options.flags.insert(options.flags.end(), more.begin(), more.end());
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    std::unique_ptr<ServerProcess> server = StartServer(options);
    if (server != nullptr) WaitForServerTokenId(*server);
    return server;
  }

  static grpc::Status Get(const ServerProcess& server,
                          const std::string& workload_token,
                          std::string method = "GetAuthToken") {
    auto stub = v1::UserTokensService::NewStub(server.NewChannel());
    grpc::ClientContext context;
    if (!workload_token.empty()) {
      context.AddMetadata("x-workload-token", workload_token);
    }
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    if (method == "DeleteAuthToken") {
      v1::DeleteAuthTokenRequest request;
      request.set_token_id("tok_does_not_exist");
      v1::DeleteAuthTokenResponse response;
      return stub->DeleteAuthToken(&context, request, &response);
    }
    if (method == "ListAuthTokens") {
      v1::ListAuthTokensResponse response;
      return stub->ListAuthTokens(&context, {}, &response);
    }
    v1::GetAuthTokenRequest request;
    request.set_token_id("current");
    v1::GetAuthTokenResponse response;
    return stub->GetAuthToken(&context, request, &response);
  }

  static void ExpectRefused(const grpc::Status& status, grpc::StatusCode code,
                            absl::string_view reason) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_EQ(DecodeErrorDetails(status).reason, reason)
        << status.error_message();
  }

  std::unique_ptr<FakeApiServer> api_;
  TempFile reviewer_token_{kReviewerToken};
  TempFile policy_{absl::StrCat(R"({"rules": [{"callers": [")", kDeployer,
                                R"("], "allowed_rpcs": ["GetAuthToken",
      "DeleteAuthToken", "CreateAuthToken"], "use_server_token": true}]})")};
};

TEST_F(WorkloadIdentityTest, AReviewedTokenIsItsServiceAccountsSpiffeId) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  const std::string token = WorkloadToken();
  EXPECT_TRUE(IsOk(Get(*server, token)));
  // Without the token the caller is anonymous, whom the policy denies.
  ExpectRefused(Get(*server, ""), grpc::StatusCode::PERMISSION_DENIED,
                "POLICY_DENIED");
  // The deployer's rule applies, and names it.
  const grpc::Status listed = Get(*server, token, "ListAuthTokens");
  ExpectRefused(listed, grpc::StatusCode::PERMISSION_DENIED, "POLICY_DENIED");
  EXPECT_EQ(DecodeErrorDetails(listed).metadata["caller"], kDeployer);
  // The audit line says how the caller was identified; the token is in no
  // line, and never went to Vercel.
  EXPECT_EQ(Get(*server, token, "DeleteAuthToken").error_code(),
            grpc::StatusCode::NOT_FOUND);
  auto audit = server->process().WaitForLine(
      Stream::kStderr, "\"log\":\"audit\"", absl::Seconds(10));
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(*audit, HasSubstr("\"caller_source\":\"kubernetes\""));
  EXPECT_THAT(*audit, HasSubstr("\"service_account_uid\":\"sa-uid-1\""));
  EXPECT_THAT(*audit, HasSubstr("\"pod_name\":\"api-1\""));
  EXPECT_THAT(*audit, HasSubstr("\"pod_uid\":\"pod-uid-1\""));
  EXPECT_THAT(*audit, HasSubstr("\"credential_id\":\"jti-1\""));
  EXPECT_THAT(server->Output(), Not(HasSubstr(token)));
  for (const RecordedRequest& request : Requests()) {
    EXPECT_THAT(request.DebugString(), Not(HasSubstr(token)));
  }
}

TEST_F(WorkloadIdentityTest, EachRefusalHasItsReason) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  const auto unauthenticated = grpc::StatusCode::UNAUTHENTICATED;
  ExpectRefused(Get(*server, WorkloadToken("something-else")), unauthenticated,
                "WORKLOAD_TOKEN_AUDIENCE");
  ExpectRefused(
      Get(*server, WorkloadToken("vercel-user-tokens", -absl::Seconds(5))),
      unauthenticated, "WORKLOAD_TOKEN_EXPIRED");
  ExpectRefused(Get(*server, "not-a-jwt"), unauthenticated,
                "WORKLOAD_TOKEN_INVALID");
  ExpectRefused(Get(*server, WorkloadToken("vercel-user-tokens", absl::Hours(1),
                                           "jti-2", "forged")),
                unauthenticated, "WORKLOAD_TOKEN_INVALID");
  api_->Control("/_fake/delete_pod", R"({"uid":"pod-uid-1"})");
  ExpectRefused(Get(*server, WorkloadToken("vercel-user-tokens", absl::Hours(1),
                                           "jti-3")),
                unauthenticated, "WORKLOAD_TOKEN_INVALID");
  api_->Control("/_fake/delete_sa",
                R"({"namespace":"billing","name":"deployer"})");
  ExpectRefused(Get(*server, WorkloadToken("vercel-user-tokens", absl::Hours(1),
                                           "jti-4")),
                unauthenticated, "WORKLOAD_TOKEN_INVALID");
  // Nothing of it went upstream.
  EXPECT_TRUE(CallRequests().empty());
}

TEST_F(WorkloadIdentityTest, AReviewerWithoutPermissionIsMisconfigured) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  api_->Control("/_fake/mode", R"({"mode":"forbidden"})");
  ExpectRefused(Get(*server, WorkloadToken()), grpc::StatusCode::UNAVAILABLE,
                "IDENTITY_MISCONFIGURED");
  auto line = server->process().WaitForLine(
      Stream::kStderr, "system:auth-delegator", absl::Seconds(10));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr("\"level\":\"error\""));
}

TEST_F(WorkloadIdentityTest, AnUnavailableApiServerSaysRetryNeverAnonymous) {
  for (const char* mode : {"unavailable", "throttled"}) {
    std::unique_ptr<ServerProcess> server = StartReviewing();
    ASSERT_NE(server, nullptr);
    api_->Control("/_fake/mode", absl::StrCat(R"({"mode":")", mode, R"("})"));
    const grpc::Status status = Get(*server, WorkloadToken());
    ExpectRefused(status, grpc::StatusCode::UNAVAILABLE,
                  "IDENTITY_UNAVAILABLE");
    EXPECT_TRUE(DecodeErrorDetails(status).retry_delay.has_value()) << mode;
  }
  // An API server that is not there at all (nothing listens on the port of a
  // process that has ended).
  const std::string gone = api_->url();
  api_.reset();
  std::unique_ptr<ServerProcess> server = StartReviewing(gone);
  ASSERT_NE(server, nullptr);
  const grpc::Status status = Get(*server, WorkloadToken());
  ExpectRefused(status, grpc::StatusCode::UNAVAILABLE, "IDENTITY_UNAVAILABLE");
  EXPECT_TRUE(DecodeErrorDetails(status).retry_delay.has_value());
}

TEST_F(WorkloadIdentityTest, ConcurrentCallsShareOneReviewThenTheCache) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  api_->Control("/_fake/mode", R"({"mode":"normal","hold":true})");
  const std::string token = WorkloadToken();
  std::vector<grpc::Status> statuses(8);
  std::vector<std::thread> callers;
  for (grpc::Status& status : statuses) {
    callers.emplace_back([&] { status = Get(*server, token); });
  }
  api_->WaitHeld(1);
  api_->Control("/_fake/release", "{}");
  for (std::thread& t : callers) t.join();
  for (const grpc::Status& status : statuses) EXPECT_TRUE(IsOk(status));
  EXPECT_TRUE(IsOk(Get(*server, token)));
  EXPECT_EQ(api_->Reviews(), 1);
}

// The handler returned before the review answered; the caller gave up
// meanwhile. The call must still end (CANCELLED or DEADLINE_EXCEEDED, as the
// caller sees it) and never reach Vercel.
TEST_F(WorkloadIdentityTest, ACallWhoseCallerLeftDuringItsReviewNeverGoesUp) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  api_->Control("/_fake/mode", R"({"mode":"normal","hold":true})");
  auto stub = v1::UserTokensService::NewStub(server->NewChannel());
  grpc::ClientContext context;
  context.AddMetadata("x-workload-token", WorkloadToken());
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
  v1::DeleteAuthTokenRequest request;
  request.set_token_id("tok_does_not_exist");
  v1::DeleteAuthTokenResponse response;
  EXPECT_EQ(stub->DeleteAuthToken(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  api_->WaitHeld(1);
  api_->Control("/_fake/release", "{}");
  auto line = server->process().WaitForLine(
      Stream::kStderr, "\"code\":\"CANCELLED\"", absl::Seconds(10));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr("\"method\":\"DeleteAuthToken\""));
  EXPECT_TRUE(CallRequests().empty());
  // The server still serves.
  EXPECT_TRUE(IsOk(Get(*server, WorkloadToken())));
}

// The same with a CreateAuthToken that carries a request_id: the call is
// answered once (the server survives), and nothing is created.
TEST_F(WorkloadIdentityTest, ACreateWhoseCallerLeftDuringItsReviewEndsOnce) {
  std::unique_ptr<ServerProcess> server = StartReviewing();
  ASSERT_NE(server, nullptr);
  api_->Control("/_fake/mode", R"({"mode":"normal","hold":true})");
  auto stub = v1::UserTokensService::NewStub(server->NewChannel());
  grpc::ClientContext context;
  context.AddMetadata("x-workload-token", WorkloadToken());
  context.set_deadline(
      absl::ToChronoTime(absl::Now() + absl::Milliseconds(500)));
  v1::CreateAuthTokenRequest request;
  request.set_name("left-early");
  request.set_request_id("7b0c1f8e-4a5d-4e2f-9c3b-2a1d0e9f8c7b");
  v1::CreateAuthTokenResponse response;
  EXPECT_EQ(stub->CreateAuthToken(&context, request, &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  api_->WaitHeld(1);
  api_->Control("/_fake/release", "{}");
  auto line = server->process().WaitForLine(
      Stream::kStderr, "\"code\":\"CANCELLED\"", absl::Seconds(10));
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_TRUE(CallRequests().empty());
  EXPECT_TRUE(IsOk(Get(*server, WorkloadToken())));
}

TEST_F(WorkloadIdentityTest, AGarbageFloodCostsNoReview) {
  std::unique_ptr<ServerProcess> server =
      StartReviewing("", {"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(server, nullptr);
  for (int i = 0; i < 100; ++i) {
    const std::string token =
        i % 2 == 0 ? absl::StrCat("garbage-", i)
                   : WorkloadToken("wrong-audience", absl::Hours(1),
                                   absl::StrCat("jti-", i));
    EXPECT_EQ(Get(*server, token).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(api_->Reviews(), 0);
  // One good token: one review, counted by outcome; then the cache.
  const std::string good = WorkloadToken();
  EXPECT_TRUE(IsOk(Get(*server, good)));
  EXPECT_TRUE(IsOk(Get(*server, good)));
  absl::StatusOr<std::string> metrics = ScrapeMetrics(*server);
  ASSERT_TRUE(IsOk(metrics.status()));
  EXPECT_EQ(SampleValue(*metrics,
                        "vercel_tokens_workload_tokens_total{"
                        "result=\"refused_locally\"}")
                .value_or(-1),
            100);
  EXPECT_EQ(SampleValue(*metrics,
                        "vercel_tokens_token_reviews_total{"
                        "outcome=\"authenticated\"}")
                .value_or(-1),
            1);
  EXPECT_EQ(
      SampleValue(*metrics,
                  "vercel_tokens_workload_tokens_total{result=\"cached\"}")
          .value_or(-1),
      1);
  EXPECT_THAT(*metrics, Not(HasSubstr(good.substr(0, 40))));
}

TEST_F(WorkloadIdentityTest, ATokenNobodyVerifiesIsRefusedNotAnonymous) {
  ServerOptions options;
  options.env = {{"VERCEL_TOKEN", kSeedSecret}};
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  ExpectRefused(Get(*server, WorkloadToken()),
                grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID");
  EXPECT_TRUE(Requests().empty());
}

}  // namespace
}  // namespace vercel_tokens::integration
