#include "cli.h"

#include <stdlib.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli_files.h"
#include "fake_user_tokens_server.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kCallerToken[] = "caller-secret-token";
constexpr char kVerificationToken[] = "verification-secret-token";

// A FAILED_PRECONDITION as the server sends it, with an ErrorInfo `reason`.
grpc::Status FailedPrecondition(const std::string& reason) {
  google::rpc::ErrorInfo info;
  info.set_reason(reason);
  info.set_domain("api.vercel.com");
  google::rpc::Status status;
  status.set_code(static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION));
  status.set_message("Vercel API error 400 (bad_request): " + reason);
  status.add_details()->PackFrom(info);
  return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, status.message(),
                      status.SerializeAsString());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("VERCEL_TOKEN");
    unsetenv("VERCEL_VERIFICATION_TOKEN");
    options_.server = server_.address();
    options_.timeout = absl::Seconds(10);
  }
  void TearDown() override {
    unsetenv("VERCEL_TOKEN");
    unsetenv("VERCEL_VERIFICATION_TOKEN");
  }

  int Run(const std::vector<std::string>& args) {
    out_.str("");
    err_.str("");
    return RunCli(options_, args, out_, err_);
  }

  // Returns a path in the test's temporary folder named after the test.
  static std::string TempPath(const std::string& suffix) {
    return ::testing::TempDir() +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           suffix;
  }

  // Makes VerifyToken fail FAILED_PRECONDITION (reason
  // CONFIRMATION_INCOMPLETE) `unconfirmed` times, then succeed; counts the
  // calls and checks each carries the verification token.
  void ConfirmAfter(int unconfirmed) {
    server_.service().verify_token = [this, unconfirmed](
                                         grpc::ServerContext*,
                                         const v1::VerifyTokenRequest& request,
                                         v1::VerifyTokenResponse* response) {
      EXPECT_EQ(request.token(), kVerificationToken);
      EXPECT_EQ(request.email(), "ada@example.com");
      if (verify_calls_++ < unconfirmed) {
        return FailedPrecondition("CONFIRMATION_INCOMPLETE");
      }
      response->set_token("new-bearer-token");
      response->set_email("ada@example.com");
      return grpc::Status::OK;
    };
  }

  void ServeEmailLogin() {
    server_.service().email_login = [](grpc::ServerContext* context,
                                       const v1::EmailLoginRequest& request,
                                       v1::EmailLoginResponse* response) {
      EXPECT_EQ(AuthorizationOf(*context), "");
      EXPECT_EQ(request.email(), "ada@example.com");
      response->set_token(kVerificationToken);
      response->set_security_code("Practical Saola");
      return grpc::Status::OK;
    };
  }

  FakeUserTokensServer server_;
  CliOptions options_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::atomic<int> verify_calls_{0};
};

TEST_F(CliTest, MissingOrUnknownSubcommandIsUsageError) {
  EXPECT_EQ(Run({}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("usage error: missing subcommand\n"));
  EXPECT_THAT(err_.str(), HasSubstr("Usage: vercel-tokens"));

  EXPECT_EQ(Run({"frobnicate"}), kExitUsage);
  EXPECT_THAT(err_.str(),
              StartsWith("usage error: unknown subcommand 'frobnicate'\n"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliTest, MissingArgumentIsUsageErrorWithoutCall) {
  bool called = false;
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    called = true;
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"get"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("usage error: missing <token_id>\n"));
  EXPECT_EQ(Run({"create"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("usage error: missing --name\n"));
  EXPECT_FALSE(called);
}

TEST_F(CliTest, BadGlobalFlagsAreUsageErrors) {
  options_.format = "yaml";
  EXPECT_EQ(Run({"list"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--format must be json or table"));
  options_.format = "json";
  options_.tls_ca_file = "/etc/ssl/certs/ca-certificates.crt";
  EXPECT_EQ(Run({"list"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--tls_ca_file needs --tls"));
}

TEST_F(CliTest, ClientCertificateFlagsAreCheckedBeforeAnyCall) {
  bool called = false;
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    called = true;
    return grpc::Status::OK;
  };
  options_.tls_cert_file = TempPath(".crt");
  options_.tls_key_file = TempPath(".key");
  EXPECT_EQ(Run({"get", "current"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--tls_cert_file needs --tls"));
  options_.tls_cert_file.clear();
  options_.tls_key_file.clear();
  options_.tls_server_name = "tokens.internal";
  EXPECT_EQ(Run({"health"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--tls_server_name needs --tls"));
  options_.tls = true;
  options_.tls_cert_file = TempPath(".crt");
  EXPECT_EQ(Run({"get", "current"}), kExitUsage);
  EXPECT_THAT(err_.str(),
              HasSubstr("--tls_cert_file and --tls_key_file go together"));
  options_.tls_key_file = TempPath(".key");
  EXPECT_EQ(Run({"get", "current"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr(TempPath(".crt")));
  EXPECT_FALSE(called);
}

TEST_F(CliTest, ListPrintsJsonAndSendsTokenFromFileWithoutPrintingIt) {
  const std::string token_file = TempPath(".token");
  std::ofstream(token_file) << kCallerToken << "\n";
  options_.token_file = token_file;
  options_.team_id = "team_1";
  std::string authorization;
  server_.service().list_auth_tokens =
      [&](grpc::ServerContext* context,
          const v1::ListAuthTokensRequest& request,
          v1::ListAuthTokensResponse* response) {
        authorization = AuthorizationOf(*context);
        EXPECT_EQ(request.team_id(), "team_1");
        v1::AuthToken* token = response->add_tokens();
        token->set_id("tok_1");
        token->mutable_created_at()->set_seconds(1704164645);
        return grpc::Status::OK;
      };

  EXPECT_EQ(Run({"list"}), kExitSuccess);

  EXPECT_EQ(authorization, std::string("Bearer ") + kCallerToken);
  EXPECT_EQ(out_.str(),
            "{\"tokens\":[{\"id\":\"tok_1\",\"created_at\":"
            "\"2024-01-02T03:04:05Z\"}]}\n");
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr(kCallerToken)));
}

TEST_F(CliTest, GetPrintsTableAndSendsTokenFromEnvironment) {
  setenv("VERCEL_TOKEN", kCallerToken, 1);
  options_.format = "table";
  std::string authorization;
  server_.service().get_auth_token = [&](grpc::ServerContext* context,
                                         const v1::GetAuthTokenRequest& request,
                                         v1::GetAuthTokenResponse* response) {
    authorization = AuthorizationOf(*context);
    response->mutable_token()->set_id(request.token_id());
    response->mutable_token()->set_name("ci");
    return grpc::Status::OK;
  };

  EXPECT_EQ(Run({"get", "tok_1"}), kExitSuccess);

  EXPECT_EQ(authorization, std::string("Bearer ") + kCallerToken);
  EXPECT_EQ(out_.str(),
            "ID     NAME  TYPE  ORIGIN  CREATED  EXPIRES  ACTIVE\n"
            "tok_1  ci    -     -       -        -        -\n");
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr(kCallerToken)));
}

TEST_F(CliTest, UnreadableTokenFileFailsWithoutCall) {
  options_.token_file = TempPath(".missing");
  EXPECT_EQ(Run({"delete", "tok_1"}), kExitFailure);
  EXPECT_THAT(err_.str(),
              StartsWith("error: FAILED_PRECONDITION: cannot read"));
}

TEST_F(CliTest, FailedCallPrintsCodeMessageAndDetails) {
  server_.service().delete_auth_token = [](auto*, const auto&, auto*) {
    google::rpc::Status rpc_status;
    google::rpc::ErrorInfo info;
    info.set_reason("NOT_FOUND");
    info.set_domain("api.vercel.com");
    (*info.mutable_metadata())["http_status"] = "404";
    (*info.mutable_metadata())["vercel_code"] = "not_found";
    rpc_status.add_details()->PackFrom(info);
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "Vercel API error 404 (not_found): Token not found",
                        rpc_status.SerializeAsString());
  };
  EXPECT_EQ(Run({"delete", "tok_1"}), kExitFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "error: NOT_FOUND: Vercel API error 404 (not_found): Token not "
            "found\nreason: NOT_FOUND\ndomain: api.vercel.com\n"
            "http_status: 404\nvercel_code: not_found\n");
}

TEST_F(CliTest, FailedCallPrintsVercelsRequestId) {
  server_.service().get_auth_token = [](auto*, const auto&, auto*) {
    google::rpc::Status rpc_status;
    google::rpc::ErrorInfo info;
    info.set_reason("FORBIDDEN");
    (*info.mutable_metadata())["vercel_request_id"] = "fra1::abc-123";
    rpc_status.add_details()->PackFrom(info);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no",
                        rpc_status.SerializeAsString());
  };
  EXPECT_EQ(Run({"get", "tok_1"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("\nvercel_request_id: fra1::abc-123\n"));
}

TEST_F(CliTest, RequestIdFromResponseMetadataWhenTheDetailsLackIt) {
  server_.service().get_auth_token = [](grpc::ServerContext* context,
                                        const auto&, auto*) {
    context->AddInitialMetadata("x-vercel-id", "iad1::def-456");
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "Vercel API error 503");
  };
  EXPECT_EQ(Run({"get", "tok_1"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("\nvercel_request_id: iad1::def-456\n"));
}

TEST_F(CliTest, WorkloadTokenFileIsSentOnEveryCall) {
  const std::string path = TempPath(".jwt");
  std::ofstream(path, std::ios::trunc) << "workload-jwt\n";
  options_.workload_token_file = path;
  std::vector<std::string> seen;
  auto record = [&seen](grpc::ServerContext* context) {
    auto it = context->client_metadata().find("x-workload-token");
    seen.push_back(it == context->client_metadata().end()
                       ? ""
                       : std::string(it->second.data(), it->second.size()));
  };
  server_.service().list_auth_tokens_raw = [&](grpc::ServerContext* context,
                                               const auto&, auto*) {
    record(context);
    return grpc::Status::OK;
  };
  server_.service().email_login = [&](grpc::ServerContext* context, const auto&,
                                      auto*) {
    record(context);
    return grpc::Status::OK;
  };
  ASSERT_EQ(Run({"list-raw"}), kExitSuccess) << err_.str();
  options_.email = "ada@example.com";
  ASSERT_EQ(Run({"email-login"}), kExitSuccess) << err_.str();
  EXPECT_EQ(seen, std::vector<std::string>({"workload-jwt", "workload-jwt"}));
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr("workload-jwt")));
}

TEST_F(CliTest, UnreadableWorkloadTokenFileFailsWithoutCall) {
  options_.workload_token_file = TempPath(".missing");
  std::atomic<int> calls{0};
  server_.service().list_auth_tokens_raw = [&](auto*, const auto&, auto*) {
    ++calls;
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"list-raw"}), kExitFailure);
  EXPECT_THAT(err_.str(), StartsWith("error: UNAUTHENTICATED: "));
  EXPECT_THAT(err_.str(), HasSubstr("CREDENTIALS_UNAVAILABLE"));
  EXPECT_EQ(calls.load(), 0);
}

TEST(CliUsageTest, HelpSaysTeamIdIsOptionalAndExplainsExitTwo) {
  const std::string usage = CliUsage();
  EXPECT_THAT(usage, Not(HasSubstr("required by create")));
  EXPECT_THAT(usage, HasSubstr("account-wide without --team_id"));
  EXPECT_THAT(usage, HasSubstr("2 usage error (unknown subcommand or flag"));
  EXPECT_THAT(usage, HasSubstr("vercel_request_id"));
}

TEST(CliUsageTest, HelpSaysWhyPlaintextIsTheDefaultAndHealthSendsNoToken) {
  const std::string usage = CliUsage();
  EXPECT_THAT(usage, HasSubstr("Transport: plaintext unless --tls."));
  EXPECT_THAT(usage, HasSubstr("Anywhere else pass\n--tls"));
  EXPECT_THAT(usage, HasSubstr("health sends no\ncredentials at all"));
}

TEST_F(CliTest, UnreachableServerFails) {
  options_.server = "127.0.0.1:1";
  EXPECT_EQ(Run({"list-raw"}), kExitFailure);
  EXPECT_THAT(err_.str(), StartsWith("error: UNAVAILABLE: "));
}

TEST_F(CliTest, EmailLoginSavesVerificationTokenWithoutPrintingIt) {
  ServeEmailLogin();
  options_.email = "ada@example.com";
  options_.verification_token_file = TempPath(".vt");

  EXPECT_EQ(Run({"email-login"}), kExitSuccess);

  EXPECT_EQ(out_.str(), "{\"security_code\":\"Practical Saola\"}\n");
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr(kVerificationToken)));
  EXPECT_EQ(ReadSecret(options_.verification_token_file, "").value_or(""),
            kVerificationToken);
}

TEST_F(CliTest, VerifyReadsVerificationTokenFromEnvironment) {
  setenv("VERCEL_VERIFICATION_TOKEN", kVerificationToken, 1);
  setenv("VERCEL_TOKEN", kCallerToken, 1);
  options_.email = "ada@example.com";
  ConfirmAfter(0);
  std::string authorization = "unset";
  auto verify = server_.service().verify_token;
  server_.service().verify_token = [&](grpc::ServerContext* context,
                                       const v1::VerifyTokenRequest& request,
                                       v1::VerifyTokenResponse* response) {
    authorization = AuthorizationOf(*context);
    return verify(context, request, response);
  };

  EXPECT_EQ(Run({"verify"}), kExitSuccess);

  EXPECT_EQ(authorization, "");
  EXPECT_EQ(out_.str(),
            "{\"token\":\"new-bearer-token\",\"email\":\"ada@example.com\"}\n");
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr(kVerificationToken)));
}

TEST_F(CliTest, VerifyWithoutVerificationTokenIsUsageError) {
  EXPECT_EQ(Run({"verify"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("usage error: missing verification"));
}

TEST_F(CliTest, LoginPollsUntilTheEmailIsConfirmed) {
  ServeEmailLogin();
  ConfirmAfter(2);
  options_.email = "ada@example.com";
  options_.poll_interval = absl::Milliseconds(1);

  EXPECT_EQ(Run({"login"}), kExitSuccess);

  EXPECT_EQ(verify_calls_, 3);
  EXPECT_EQ(out_.str(),
            "{\"token\":\"new-bearer-token\",\"email\":\"ada@example.com\"}\n");
  EXPECT_THAT(err_.str(), StartsWith("Security code: Practical Saola\n"));
  EXPECT_THAT(err_.str(), HasSubstr("ada@example.com"));
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr(kVerificationToken)));
}

TEST_F(CliTest, LoginStopsAtOtherErrors) {
  ServeEmailLogin();
  server_.service().verify_token = [this](auto*, const auto&, auto*) {
    ++verify_calls_;
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "denied");
  };
  options_.email = "ada@example.com";
  options_.poll_interval = absl::Milliseconds(1);

  EXPECT_EQ(Run({"login"}), kExitFailure);

  EXPECT_EQ(verify_calls_, 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), HasSubstr("error: PERMISSION_DENIED: denied\n"));
}

TEST_F(CliTest, LoginStopsAtAnotherFailedPrecondition) {
  ServeEmailLogin();
  server_.service().verify_token = [this](auto*, const auto&, auto*) {
    ++verify_calls_;
    return FailedPrecondition("LOGIN_EXPIRED");
  };
  options_.email = "ada@example.com";
  options_.poll_interval = absl::Milliseconds(1);

  EXPECT_EQ(Run({"login"}), kExitFailure);

  EXPECT_EQ(verify_calls_, 1);
  EXPECT_THAT(err_.str(), HasSubstr("reason: LOGIN_EXPIRED\n"));
}

TEST_F(CliTest, LoginGivesUpAtLoginTimeout) {
  ServeEmailLogin();
  ConfirmAfter(1 << 30);
  options_.email = "ada@example.com";
  options_.poll_interval = absl::Milliseconds(5);
  options_.login_timeout = absl::Milliseconds(50);

  EXPECT_EQ(Run({"login"}), kExitFailure);

  EXPECT_GE(verify_calls_, 1);
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(),
              HasSubstr("error: DEADLINE_EXCEEDED: the login was not "
                        "confirmed within 50ms\n"));
}

TEST_F(CliTest, LoginNeedsEmail) {
  EXPECT_EQ(Run({"login"}), kExitUsage);
  EXPECT_THAT(err_.str(), StartsWith("usage error: missing --email\n"));
}

TEST_F(CliTest, HealthExitsZeroOnlyWhenServing) {
  EXPECT_EQ(Run({"health"}), kExitSuccess);
  EXPECT_EQ(out_.str(), "{\"status\":\"SERVING\"}\n");

  server_.health().SetServingStatus(false);
  options_.format = "table";
  EXPECT_EQ(Run({"health"}), kExitFailure);
  EXPECT_EQ(out_.str(), "status: NOT_SERVING\n");

  options_.health_service = "no.such.Service";
  EXPECT_EQ(Run({"health"}), kExitFailure);
  EXPECT_THAT(err_.str(), StartsWith("error: NOT_FOUND: "));
}

}  // namespace
}  // namespace vercel_tokens
