#include "tests/integration/test_fixture.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace vercel_tokens::integration {

::testing::AssertionResult IsOk(const absl::Status& status) {
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << status;
}

::testing::AssertionResult IsOk(const grpc::Status& status) {
  return HasCode(status, grpc::StatusCode::OK);
}

::testing::AssertionResult HasCode(const grpc::Status& status,
                                   grpc::StatusCode code) {
  if (status.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected code " << code << ", got " << status.error_code() << ": "
         << status.error_message();
}

std::unique_ptr<FakeVercel>& IntegrationTest::SharedFake() {
  static auto* fake = new std::unique_ptr<FakeVercel>();
  return *fake;
}

std::unique_ptr<ServerProcess>& IntegrationTest::SharedServer() {
  static auto* server = new std::unique_ptr<ServerProcess>();
  return *server;
}

void IntegrationTest::TearDownTestSuite() {
  SharedServer().reset();
  SharedFake().reset();
}

void IntegrationTest::SetUp() {
  if (SharedFake() == nullptr) {
    auto fake = FakeVercel::Start();
    ASSERT_TRUE(IsOk(fake.status()));
    SharedFake() = *std::move(fake);
  }
  if (SharedServer() == nullptr) {
    // Retries off, so that each upstream answer maps straight to the
    // caller's status; retry_test.cc covers retries with their default.
    ServerOptions options;
    options.flags = {"--upstream_max_attempts=1"};
    auto server = ServerProcess::Start(SharedFake()->base_url(), options);
    ASSERT_TRUE(IsOk(server.status()));
    SharedServer() = *std::move(server);
  }
  fake_ = SharedFake().get();
  server_ = SharedServer().get();

  ResetRequest request;
  SeedToken* token = request.add_tokens();
  token->set_name("seed");
  token->set_bearer_token(kSeedSecret);
  token->set_team_id(kSeedTeam);
  std::vector<VercelToken> seeded = Reset(request);
  ASSERT_EQ(seeded.size(), 1u);
  seed_ = seeded[0];
}

ResetRequest IntegrationTest::NumberedTokens(int count, int page_size) {
  ResetRequest request;
  request.set_page_size(page_size);
  for (int i = 1; i <= count; ++i) {
    SeedToken* token = request.add_tokens();
    token->set_name(absl::StrCat("t", i));
    token->set_bearer_token(i == 1 ? kSeedSecret : absl::StrCat("secret-", i));
    token->set_team_id(kSeedTeam);
  }
  return request;
}

std::vector<VercelToken> IntegrationTest::Reset(const ResetRequest& request) {
  auto response = fake().Reset(request);
  if (!response.ok()) {
    ADD_FAILURE() << "reset: " << response.status();
    return {};
  }
  return {response->tokens().begin(), response->tokens().end()};
}

std::vector<RecordedRequest> IntegrationTest::Requests() {
  auto requests = fake().Requests();
  if (!requests.ok()) {
    ADD_FAILURE() << "requests: " << requests.status();
    return {};
  }
  return *std::move(requests);
}

std::vector<RecordedRequest> IntegrationTest::CallRequests() {
  std::vector<RecordedRequest> all = Requests();
  if (!all.empty() && all.front().path() == "/v5/user/tokens/current") {
    all.erase(all.begin());
  }
  return all;
}

void IntegrationTest::WaitForServerTokenId(ServerProcess& server) {
  EXPECT_TRUE(
      IsOk(server.process()
               .WaitForLine(Stream::kStderr, "learned the server token's id",
                            absl::Seconds(15))
               .status()));
}

int IntegrationTest::CountRequests(absl::string_view method) {
  int n = 0;
  for (const RecordedRequest& r : Requests()) n += r.method() == method;
  return n;
}

void IntegrationTest::HoldNextCreate() {
  Fault hold;
  hold.set_method("POST");
  hold.set_path("/v3/user/tokens");
  hold.set_hold(true);
  hold.set_times(1);
  ASSERT_TRUE(IsOk(fake().AddFault(hold)));
}

::vercel::authentication::v1::CreateAuthTokenRequest
IntegrationTest::CreateRequest(absl::string_view name,
                               absl::string_view request_id) {
  ::vercel::authentication::v1::CreateAuthTokenRequest request;
  request.set_name(std::string(name));
  request.set_team_id(kSeedTeam);
  request.set_request_id(std::string(request_id));
  return request;
}

std::unique_ptr<ServerProcess> IntegrationTest::StartServer(
    const ServerOptions& options) {
  auto server = ServerProcess::Start(fake().base_url(), options);
  if (!server.ok()) {
    ADD_FAILURE() << "server: " << server.status();
    return nullptr;
  }
  return *std::move(server);
}

UserTokensClient IntegrationTest::Client(absl::string_view bearer,
                                         absl::Duration timeout) {
  return ClientOf(server(), bearer, timeout);
}

UserTokensClient IntegrationTest::ClientOf(const ServerProcess& server,
                                           absl::string_view bearer,
                                           absl::Duration timeout) {
  ClientOptions options;
  options.bearer_token = std::string(bearer);
  options.timeout = timeout;
  return UserTokensClient(server.NewChannel(), std::move(options));
}

}  // namespace vercel_tokens::integration
