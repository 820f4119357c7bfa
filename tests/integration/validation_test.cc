// Requests the server must reject itself, before anything reaches Vercel.

#include <ostream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::Contains;
using ::testing::Field;
using ::testing::IsEmpty;

// Expects `status` to be the server's own INVALID_ARGUMENT naming `field`.
void ExpectRejected(const grpc::Status& status, const std::string& field) {
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INVALID_ARGUMENT));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "INVALID_ARGUMENT");
  EXPECT_EQ(details.domain, "vercel-user-tokens");
  EXPECT_THAT(details.field_violations,
              Contains(Field(&FieldViolation::field, field)));
}

// A token_id the server must refuse to put in a URL path.
struct BadTokenId {
  std::string name;
  std::string token_id;
};

void PrintTo(const BadTokenId& bad, std::ostream* os) { *os << bad.name; }

class TokenIdTest : public IntegrationTest,
                    public ::testing::WithParamInterface<BadTokenId> {};

TEST_P(TokenIdTest, GetAuthTokenRejectsItWithoutCallingVercel) {
  v1::GetAuthTokenRequest request;
  request.set_token_id(GetParam().token_id);
  v1::GetAuthTokenResponse response;

  ExpectRejected(Client().GetAuthToken(request, &response), "token_id");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_P(TokenIdTest, DeleteAuthTokenRejectsItWithoutCallingVercel) {
  v1::DeleteAuthTokenRequest request;
  request.set_token_id(GetParam().token_id);
  v1::DeleteAuthTokenResponse response;

  ExpectRejected(Client().DeleteAuthToken(request, &response), "token_id");
  EXPECT_THAT(Requests(), IsEmpty());
}

INSTANTIATE_TEST_SUITE_P(
    Injections, TokenIdTest,
    ::testing::Values(BadTokenId{"ParentDirectory", "../x"},
                      BadTokenId{"Slash", "a/b"},
                      BadTokenId{"QuestionMark", "a?b"},
                      BadTokenId{"PercentEncodedSlash", "%2F"},
                      BadTokenId{"Space", "a b"}, BadTokenId{"Newline", "a\nb"},
                      BadTokenId{"Empty", ""},
                      BadTokenId{"TooLong", std::string(300, 'a')}),
    [](const ::testing::TestParamInfo<BadTokenId>& info) {
      return info.param.name;
    });

using ValidationTest = IntegrationTest;

TEST_F(ValidationTest, EmailLoginRejectsABadEmail) {
  v1::EmailLoginRequest request;
  request.set_email("not-an-email");
  v1::EmailLoginResponse response;

  ExpectRejected(Client().EmailLogin(request, &response), "email");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(ValidationTest, VerifyTokenRejectsAnUnknownTeamPlan) {
  v1::VerifyTokenRequest request;
  request.set_token("verification-token");
  request.set_team_plan("enterprise");
  v1::VerifyTokenResponse response;

  ExpectRejected(Client().VerifyToken(request, &response), "team_plan");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(ValidationTest, VerifyTokenRejectsAMissingToken) {
  v1::VerifyTokenRequest request;
  request.set_email("ada@example.com");
  v1::VerifyTokenResponse response;

  ExpectRejected(Client().VerifyToken(request, &response), "token");
  EXPECT_THAT(Requests(), IsEmpty());
}

// A valid CreateAuthTokenRequest, for the tests to spoil one field of.
v1::CreateAuthTokenRequest ValidCreate() {
  v1::CreateAuthTokenRequest request;
  request.set_team_id(kSeedTeam);
  request.set_name("ci");
  return request;
}

TEST_F(ValidationTest, CreateAuthTokenRejectsAnUnknownType) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_type("other");
  v1::CreateAuthTokenResponse response;

  ExpectRejected(Client().CreateAuthToken(request, &response), "type");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(ValidationTest, CreateAuthTokenRejectsClientIdWithoutOAuth2Type) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_client_id("cl_1");
  v1::CreateAuthTokenResponse response;

  ExpectRejected(Client().CreateAuthToken(request, &response), "client_id");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(ValidationTest, CreateAuthTokenRejectsAProjectWithoutTeam) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.clear_team_id();
  request.set_project_id("prj_1");
  v1::CreateAuthTokenResponse response;

  ExpectRejected(Client().CreateAuthToken(request, &response), "project_id");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(ValidationTest, CreateAuthTokenRejectsAMissingName) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.clear_name();
  v1::CreateAuthTokenResponse response;

  ExpectRejected(Client().CreateAuthToken(request, &response), "name");
  EXPECT_THAT(Requests(), IsEmpty());
}

}  // namespace
}  // namespace vercel_tokens::integration
