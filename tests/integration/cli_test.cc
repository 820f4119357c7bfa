// The `vercel-tokens` CLI against the real server: subcommands, JSON and
// table output, exit codes.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/temp_file.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

// Parses the CLI's JSON output into `message`, failing the test when it is
// not a `Message` in proto JSON.
template <typename Message>
Message ParseJson(const std::string& json) {
  Message message;
  auto status = google::protobuf::util::JsonStringToMessage(json, &message);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return message;
}

class CliTest : public IntegrationTest {
 protected:
  // The environment of a caller whose token is kSeedSecret.
  static std::map<std::string, std::string> SeedCaller() {
    return {{"VERCEL_TOKEN", kSeedSecret}};
  }

  // The flags that point the CLI at the shared server, then `args`.
  std::vector<std::string> Args(const std::vector<std::string>& args) {
    std::vector<std::string> all = {
        absl::StrCat("--server=", server().address()), "--timeout=10s"};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  // Runs the CLI against the shared server to its end.
  CliResult Run(const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env = SeedCaller()) {
    absl::StatusOr<CliResult> result = RunCli(Args(args), env);
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      return {};
    }
    return *std::move(result);
  }
};

TEST_F(CliTest, ListPrintsEveryTokenOfMoreThan100AsJson) {
  ASSERT_EQ(Reset(NumberedTokens(150, 20)).size(), 150u);

  CliResult result = Run({"--format=json", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"created_at\""));
  auto response = ParseJson<v1::ListAuthTokensResponse>(result.out);
  ASSERT_EQ(response.tokens_size(), 150);
  EXPECT_EQ(response.tokens(0).name(), "t150");
  EXPECT_EQ(response.tokens(149).name(), "t1");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  for (const RecordedRequest& r : upstream) {
    EXPECT_EQ(r.path(), "/v6/user/tokens");
    EXPECT_EQ(r.headers().at("authorization"),
              absl::StrCat("Bearer ", kSeedSecret));
  }
}

TEST_F(CliTest, ListRawPrintsOnePageWithItsCursor) {
  std::vector<VercelToken> seeded = Reset(NumberedTokens(3, 2));
  ASSERT_EQ(seeded.size(), 3u);

  CliResult result = Run({"--slug=my-team", "list-raw"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto response = ParseJson<v1::ListAuthTokensRawResponse>(result.out);
  ASSERT_EQ(response.tokens_size(), 2);
  EXPECT_EQ(response.tokens(0).name(), "t3");
  EXPECT_EQ(response.pagination().count(), 2);
  EXPECT_EQ(response.pagination().next(), seeded[1].created_at());
  EXPECT_EQ(response.pagination().next_cursor(),
            absl::StrCat(seeded[1].created_at()));
  EXPECT_THAT(result.err, HasSubstr(absl::StrCat("next page: --until=",
                                                 seeded[1].created_at())));
  EXPECT_THAT(Requests(), ElementsAre(IsUpstream("GET", "/v5/user/tokens",
                                                 "slug=my-team")));
}

TEST_F(CliTest, ListRawUntilReadsTheNextPage) {
  std::vector<VercelToken> seeded = Reset(NumberedTokens(5, 20));
  ASSERT_EQ(seeded.size(), 5u);
  const std::string cursor = absl::StrCat(seeded[3].created_at());

  CliResult result = Run({"list-raw", "--limit=2", "--until=" + cursor});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto response = ParseJson<v1::ListAuthTokensRawResponse>(result.out);
  ASSERT_EQ(response.tokens_size(), 2);
  EXPECT_EQ(response.tokens(0).name(), "t3");
  EXPECT_EQ(response.tokens(1).name(), "t2");
  EXPECT_EQ(response.pagination().next_cursor(),
            absl::StrCat(seeded[1].created_at()));
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("GET", "/v5/user/tokens",
                                     absl::StrCat("limit=2&until=", cursor))));
}

TEST_F(CliTest, TableFormatShowsTheTokenName) {
  CliResult result = Run({"--format=table", "list"});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("NAME"));
  EXPECT_THAT(result.out, HasSubstr("seed"));
  EXPECT_THAT(result.out, HasSubstr(seed().id()));
}

TEST_F(CliTest, GetPrintsOneTokenWithTheTokenFromAFile) {
  TempFile token_file(absl::StrCat(kSeedSecret, "\n"));

  CliResult result = Run({absl::StrCat("--token_file=", token_file.path()),
                          "--team_id=team_a", "get", seed().id()},
                         {});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto response = ParseJson<v1::GetAuthTokenResponse>(result.out);
  EXPECT_EQ(response.token().id(), seed().id());
  EXPECT_EQ(response.token().name(), "seed");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream,
              ElementsAre(IsUpstream(
                  "GET", absl::StrCat("/v5/user/tokens/", seed().id()),
                  "teamId=team_a")));
  EXPECT_EQ(upstream[0].headers().at("authorization"),
            absl::StrCat("Bearer ", kSeedSecret));
}

TEST_F(CliTest, CreateWithoutTeamIdIsAccountWide) {
  CliResult created = Run({"create", "--name=laptop"});

  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto response = ParseJson<v1::CreateAuthTokenResponse>(created.out);
  ASSERT_EQ(response.token().scopes_size(), 1);
  EXPECT_EQ(response.token().scopes(0).type(), "user");
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("POST", "/v3/user/tokens", "")));
}

TEST_F(CliTest, CreateWithProjectIdIsProjectScoped) {
  CliResult created = Run(
      {"--team_id=team_a", "create", "--name=deploy", "--project_id=prj_1"});

  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto response = ParseJson<v1::CreateAuthTokenResponse>(created.out);
  EXPECT_EQ(response.token().project_id(), "prj_1");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/v3/user/tokens",
                                               "teamId=team_a")));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"name":"deploy","projectId":"prj_1"})");

  CliResult refused = Run({"create", "--name=deploy", "--project_id=prj_1"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("--project_id needs --team_id"));
}

TEST_F(CliTest, CreateThenDelete) {
  CliResult created = Run({"--team_id=team_a", "create", "--name=cli-made",
                           "--expires_at=2023-11-14T22:13:20.123Z"});

  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto create_response = ParseJson<v1::CreateAuthTokenResponse>(created.out);
  EXPECT_EQ(create_response.token().name(), "cli-made");
  EXPECT_THAT(create_response.token().expires_at(),
              IsEpochMillis(1700000000123));
  EXPECT_THAT(create_response.bearer_token(), Not(""));

  CliResult deleted =
      Run({"--team_id=team_a", "delete", create_response.token().id()});

  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  auto delete_response = ParseJson<v1::DeleteAuthTokenResponse>(deleted.out);
  EXPECT_EQ(delete_response.token_id(), create_response.token().id());
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(
      upstream,
      ElementsAre(IsUpstream("POST", "/v3/user/tokens", "teamId=team_a"),
                  IsUpstream("DELETE",
                             absl::StrCat("/v3/user/tokens/",
                                          create_response.token().id()),
                             "teamId=team_a")));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"expiresAt":1700000000123,"name":"cli-made"})");
}

TEST_F(CliTest, EmailLoginThenVerify) {
  TempFile verification_file("");

  CliResult started = Run(
      {"email-login", "--email=ada@example.com", "--token_name=laptop",
       absl::StrCat("--verification_token_file=", verification_file.path())});

  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto login = ParseJson<v1::EmailLoginResponse>(started.out);
  EXPECT_THAT(login.security_code(), Not(""));
  const std::string verification_token(
      absl::StripAsciiWhitespace(verification_file.Read()));
  ASSERT_THAT(verification_token, Not(""));
  EXPECT_THAT(started.out, Not(HasSubstr(verification_token)));
  ASSERT_TRUE(IsOk(fake().Confirm("ada@example.com")));

  CliResult verified = Run(
      {"verify", "--email=ada@example.com",
       absl::StrCat("--verification_token_file=", verification_file.path())});

  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  auto response = ParseJson<v1::VerifyTokenResponse>(verified.out);
  EXPECT_THAT(response.token(), Not(""));
  EXPECT_EQ(response.email(), "ada@example.com");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_THAT(upstream[0], IsUpstream("POST", "/registration", ""));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"email":"ada@example.com","tokenName":"laptop"})");
  EXPECT_EQ(upstream[1].path(), "/registration/verify");
  EXPECT_EQ(upstream[1].query().at("token"), verification_token);
  EXPECT_EQ(upstream[1].query().at("email"), "ada@example.com");
  for (const RecordedRequest& r : upstream) {
    EXPECT_EQ(r.headers().count("authorization"), 0u) << r.path();
  }
}

TEST_F(CliTest, LoginPollsUntilTheEmailIsConfirmed) {
  auto login =
      StartCli(Args({"login", "--email=ada@example.com",
                     "--token_name=cli-login", "--poll_interval=50ms"}),
               {});
  ASSERT_TRUE(IsOk(login.status()));

  // The registration, then at least one unconfirmed verify.
  ASSERT_TRUE(IsOk(fake().WaitForRequests(2)));
  ASSERT_TRUE(IsOk(fake().Confirm("ada@example.com")));
  absl::StatusOr<int> exit_code = (*login)->Wait(absl::Seconds(20));

  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_EQ(*exit_code, 0) << (*login)->Output(Stream::kStderr);
  EXPECT_THAT((*login)->Output(Stream::kStderr), HasSubstr("Security code: "));
  auto response =
      ParseJson<v1::VerifyTokenResponse>((*login)->Output(Stream::kStdout));
  ASSERT_THAT(response.token(), Not(""));
  v1::GetAuthTokenRequest current;
  current.set_token_id("current");
  v1::GetAuthTokenResponse got;
  ASSERT_TRUE(IsOk(Client(response.token()).GetAuthToken(current, &got)));
  EXPECT_EQ(got.token().name(), "cli-login");
}

TEST_F(CliTest, LoginStopsAtOnceOnAnythingButNotYetConfirmed) {
  Fault gone;
  gone.set_path("/registration/verify");
  gone.set_status(400);
  gone.set_body(
      R"({"error":{"code":"bad_request","message":"Login expired"}})");
  ASSERT_TRUE(IsOk(fake().AddFault(gone)));

  CliResult result = Run({"login", "--email=ada@example.com",
                          "--poll_interval=10ms", "--timeout=30s"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("error: INVALID_ARGUMENT: "));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_EQ(upstream[1].path(), "/registration/verify");
}

TEST_F(CliTest, LoginWaitsForTheEmailAtMostTimeout) {
  // Nobody opens the email link: the CLI polls until --timeout has passed
  // since it started, then gives up.
  CliResult result = Run({"login", "--email=ada@example.com",
                          "--poll_interval=100ms", "--timeout=1s"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("Waiting up to 1s."));
  EXPECT_THAT(result.err, HasSubstr("the login was not confirmed within 1s"));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_GE(upstream.size(), 3u);
  EXPECT_EQ(upstream.back().path(), "/registration/verify");
}

TEST_F(CliTest, FailingCallExitsOneWithTheCode) {
  CliResult result = Run({"get", "tok_missing"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, StartsWith("error: NOT_FOUND: "));
  // What Vercel answered, from the ErrorInfo.
  EXPECT_THAT(result.err,
              HasSubstr("\nhttp_status: 404\nvercel_code: not_found\n"));
  EXPECT_THAT(result.out, IsEmpty());
}

TEST_F(CliTest, HelpAndVersionExitZero) {
  CliResult help = Run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--token_file"));

  CliResult version = Run({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_THAT(version.out,
              MatchesRegex("vercel-tokens [0-9]+\\.[0-9]+\\.[0-9]+\n"));
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(CliTest, UsageErrorExitsTwoAndCallsNothing) {
  CliResult result = Run({"frobnicate"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("frobnicate"));
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(CliTest, FlagParserErrorsExitTwoAndCallNothing) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--bogus", "list"},
        std::vector<std::string>{"list-raw", "--limit=abc"},
        std::vector<std::string>{"--timeout=soon", "list"},
        std::vector<std::string>{"list", "--tls=maybe"}}) {
    CliResult result = Run(args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1];
    EXPECT_THAT(result.err, StartsWith("usage error: "));
    EXPECT_THAT(result.out, IsEmpty());
  }
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(CliTest, ATokenAsAFlagPointsToTokenFileAndIsNotEchoed) {
  CliResult result = Run({"--token=vcp_abc123secret", "list"});

  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--token_file"));
  EXPECT_THAT(result.err, Not(HasSubstr("vcp_abc123secret")));
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(CliTest, HelpCallsTeamIdOptional) {
  CliResult help = Run({"--help"});

  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, Not(HasSubstr("required by create")));
  EXPECT_THAT(help.out, HasSubstr("--workload_token_file"));
}

TEST_F(CliTest, FailedCallPrintsVercelsRequestId) {
  CliResult result = Run({"get", "tok_missing"});

  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err,
              MatchesRegex("(.|\n)*\nvercel_request_id: [^\n]+\n(.|\n)*"));
}

TEST_F(CliTest, HealthPrintsServing) {
  CliResult result = Run({"health"}, {});

  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\"status\":\"SERVING\"}\n");
}

}  // namespace
}  // namespace vercel_tokens::integration
