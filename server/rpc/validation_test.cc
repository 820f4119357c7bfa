#include "server/rpc/validation.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

// The field named by the status's BadRequest, or "" when valid.
std::string RejectedField(const absl::Status& status) {
  if (status.ok()) return "";
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  auto bad_request = DetailOf<google::rpc::BadRequest>(status);
  if (!bad_request.has_value() || bad_request->field_violations_size() != 1) {
    ADD_FAILURE() << "no single field violation in " << status;
    return "?";
  }
  return bad_request->field_violations(0).field();
}

v1::CreateAuthTokenRequest ValidCreate() {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_1a2b3c");
  request.set_name("ci deploy token");
  return request;
}

v1::VerifyTokenRequest ValidVerify() {
  v1::VerifyTokenRequest request;
  request.set_token("verification-TOKEN_123");
  return request;
}

TEST(ValidateTest, AcceptsOrdinaryIds) {
  v1::GetAuthTokenRequest request;
  for (const char* id :
       {"current",
        "5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c48399e8391",
        "tok_ABC-123"}) {
    request.set_token_id(id);
    EXPECT_TRUE(Validate(request).ok()) << id;
  }
}

TEST(ValidateTest, RejectsIdsThatCouldChangeTheUpstreamUrl) {
  const std::string too_long(257, 'a');
  for (const std::string& id :
       {std::string("../x"), std::string("a/b"), std::string("a?b"),
        std::string("%2F"), std::string("a b"), std::string("a\nb"),
        std::string("a\0b", 3), std::string("a#b"), std::string(".."),
        std::string("a\\b"), std::string("\xC3\xA9"), too_long}) {
    v1::GetAuthTokenRequest get;
    get.set_token_id(id);
    EXPECT_EQ(RejectedField(Validate(get)), "token_id") << id;
    v1::DeleteAuthTokenRequest del;
    del.set_token_id(id);
    EXPECT_EQ(RejectedField(Validate(del)), "token_id") << id;
    v1::ListAuthTokensRequest list;
    list.set_team_id(id);
    EXPECT_EQ(RejectedField(Validate(list)), "team_id") << id;
    v1::ListAuthTokensRawRequest raw;
    raw.set_slug(id);
    EXPECT_EQ(RejectedField(Validate(raw)), "slug") << id;
  }
}

TEST(ValidateTest, RequiresTokenId) {
  EXPECT_EQ(RejectedField(Validate(v1::GetAuthTokenRequest())), "token_id");
  EXPECT_EQ(RejectedField(Validate(v1::DeleteAuthTokenRequest())), "token_id");
}

TEST(ValidateTest, MessagesNeverEchoTheValue) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("secret/value");
  const absl::Status status = Validate(request);
  EXPECT_EQ(std::string(status.message()).find("secret"), std::string::npos);
}

TEST(ValidateCreateTest, AcceptsPlainAndOauth2Tokens) {
  EXPECT_TRUE(Validate(ValidCreate()).ok());
  v1::CreateAuthTokenRequest oauth = ValidCreate();
  oauth.set_type("oauth2-token");
  oauth.set_client_id("cl_123");
  oauth.set_installation_id("icfg_456");
  oauth.mutable_expires_at()->set_seconds(1900000000);
  EXPECT_TRUE(Validate(oauth).ok());
}

TEST(ValidateCreateTest, RequiresANameButNoTeam) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.clear_team_id();
  // An account-wide token, Vercel's default.
  EXPECT_TRUE(Validate(request).ok());
  request = ValidCreate();
  request.clear_name();
  EXPECT_EQ(RejectedField(Validate(request)), "name");
}

TEST(ValidateCreateTest, ProjectIdIsAnIdAndNeedsATeam) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_project_id("prj_1a2b");
  EXPECT_TRUE(Validate(request).ok());
  request.set_project_id("prj/../x");
  EXPECT_EQ(RejectedField(Validate(request)), "project_id");
  request.set_project_id("prj_1a2b");
  request.clear_team_id();
  EXPECT_EQ(RejectedField(Validate(request)), "project_id");
}

TEST(ValidateFreeTextTest, RefusesC1ControlsAndBidiFormatting) {
  const char* const kUnsafe[] = {
      "\xC2\x85",      // U+0085 NEXT LINE (C1).
      "\xC2\x80",      // U+0080 (C1).
      "\xC2\x9F",      // U+009F (C1).
      "\x7F",          // DEL.
      "\xE2\x80\xAE",  // U+202E RIGHT-TO-LEFT OVERRIDE.
      "\xE2\x80\xAA",  // U+202A LEFT-TO-RIGHT EMBEDDING.
      "\xE2\x81\xA6",  // U+2066 LEFT-TO-RIGHT ISOLATE.
      "\xE2\x81\xA9",  // U+2069 POP DIRECTIONAL ISOLATE.
      "\xE2\x80\x8E",  // U+200E LEFT-TO-RIGHT MARK.
      "\xE2\x80\x8F",  // U+200F RIGHT-TO-LEFT MARK.
      "\xD8\x9C",      // U+061C ARABIC LETTER MARK.
  };
  for (const char* unsafe : kUnsafe) {
    const std::string text = std::string("ci") + unsafe + "txt.exe";
    v1::CreateAuthTokenRequest create = ValidCreate();
    create.set_name(text);
    EXPECT_EQ(RejectedField(Validate(create)), "name") << text;
    v1::EmailLoginRequest login;
    login.set_email("me@example.com");
    login.set_token_name(text);
    EXPECT_EQ(RejectedField(Validate(login)), "token_name") << text;
    v1::VerifyTokenRequest verify = ValidVerify();
    verify.set_team_name(text);
    EXPECT_EQ(RejectedField(Validate(verify)), "team_name") << text;
  }
  // Right-to-left text itself is fine.
  v1::CreateAuthTokenRequest hebrew = ValidCreate();
  hebrew.set_name("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D");
  EXPECT_TRUE(Validate(hebrew).ok());
  hebrew.set_name("\xC2\xA0nbsp \xE2\x80\x8B zwsp");
  EXPECT_TRUE(Validate(hebrew).ok());
}

TEST(ValidateListRawTest, LimitAndCursors) {
  v1::ListAuthTokensRawRequest request;
  EXPECT_TRUE(Validate(request).ok());
  request.set_limit(100);
  request.set_until("1700000000000");
  request.set_since("eyJpZCI6Mn0=");
  EXPECT_TRUE(Validate(request).ok());
  request.set_limit(101);
  EXPECT_EQ(RejectedField(Validate(request)), "limit");
  request.set_limit(-1);
  EXPECT_EQ(RejectedField(Validate(request)), "limit");
  request.set_limit(0);
  request.set_until("a b");
  EXPECT_EQ(RejectedField(Validate(request)), "until");
  request.set_until(std::string(257, 'c'));
  EXPECT_EQ(RejectedField(Validate(request)), "until");
  request.clear_until();
  request.set_since("x\ny");
  EXPECT_EQ(RejectedField(Validate(request)), "since");
}

TEST(ValidateCreateTest, RequestIdsAreOneCase) {
  EXPECT_EQ(NormalizedRequestId("5F0C8E0E-6A55-4C57-9F0B-2A8A4B8F1E11"),
            "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11");
}

TEST(ValidateCreateTest, BoundsAndCleansTheName) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_request_id("5F0C8E0E-6a55-4c57-9f0b-2a8a4b8f1e11");
  EXPECT_TRUE(Validate(request).ok());
  for (const char* bad : {"retry-1", "5f0c8e0e6a554c579f0b2a8a4b8f1e11",
                          "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e1g",
                          "00000000-0000-0000-0000-000000000000"}) {
    request.set_request_id(bad);
    EXPECT_EQ(RejectedField(Validate(request)), "request_id") << bad;
  }
  request = ValidCreate();
  request.set_name(std::string(257, 'n'));
  EXPECT_EQ(RejectedField(Validate(request)), "name");
  request.set_name(std::string(256, 'n'));
  EXPECT_TRUE(Validate(request).ok());
  request.set_name("line\nbreak");
  EXPECT_EQ(RejectedField(Validate(request)), "name");
  request.set_name("bad \xFF utf8");
  EXPECT_EQ(RejectedField(Validate(request)), "name");
  request.set_name("d\xC3\xA9ploiement \xF0\x9F\x9A\x80");
  EXPECT_TRUE(Validate(request).ok());
}

TEST(ValidateCreateTest, TypeMustBeEmptyOrOauth2) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_type("other");
  EXPECT_EQ(RejectedField(Validate(request)), "type");
}

TEST(ValidateCreateTest, ClientAndInstallationNeedOauth2Type) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.set_client_id("cl_1");
  EXPECT_EQ(RejectedField(Validate(request)), "client_id");
  request = ValidCreate();
  request.set_installation_id("icfg_1");
  EXPECT_EQ(RejectedField(Validate(request)), "installation_id");
  request.set_type("oauth2-token");
  request.set_installation_id("icfg/1");
  EXPECT_EQ(RejectedField(Validate(request)), "installation_id");
}

TEST(ValidateCreateTest, ExpiresAtMustBeAValidTimestamp) {
  v1::CreateAuthTokenRequest request = ValidCreate();
  request.mutable_expires_at()->set_nanos(-5);
  EXPECT_EQ(RejectedField(Validate(request)), "expires_at");
}

TEST(ValidateEmailLoginTest, ChecksTheEmail) {
  v1::EmailLoginRequest request;
  EXPECT_EQ(RejectedField(Validate(request)), "email");
  for (const char* bad :
       {"no-at-sign", "@example.com", "a@b@c.com", "a@b", "a@.com", "a@b.",
        "a b@c.com", "a@b..com", "a\n@b.com"}) {
    request.set_email(bad);
    EXPECT_EQ(RejectedField(Validate(request)), "email") << bad;
  }
  request.set_email(std::string(250, 'a') + "@b.co");
  EXPECT_EQ(RejectedField(Validate(request)), "email");
  request.set_email("user+tag@example.co.uk");
  EXPECT_TRUE(Validate(request).ok());
  request.set_token_name("laptop\x01");
  EXPECT_EQ(RejectedField(Validate(request)), "token_name");
}

TEST(ValidateVerifyTest, RequiresAPrintableToken) {
  EXPECT_TRUE(Validate(ValidVerify()).ok());
  v1::VerifyTokenRequest request = ValidVerify();
  request.clear_token();
  EXPECT_EQ(RejectedField(Validate(request)), "token");
  request.set_token("has space");
  EXPECT_EQ(RejectedField(Validate(request)), "token");
  request.set_token(std::string(4097, 't'));
  EXPECT_EQ(RejectedField(Validate(request)), "token");
}

TEST(ValidateVerifyTest, TeamPlanIsProOrHobby) {
  v1::VerifyTokenRequest request = ValidVerify();
  for (const char* ok : {"", "pro", "hobby"}) {
    request.set_team_plan(ok);
    EXPECT_TRUE(Validate(request).ok()) << ok;
  }
  for (const char* bad : {"enterprise", "PRO", "pro "}) {
    request.set_team_plan(bad);
    EXPECT_EQ(RejectedField(Validate(request)), "team_plan") << bad;
  }
}

TEST(ValidateVerifyTest, ChecksOptionalFields) {
  v1::VerifyTokenRequest request = ValidVerify();
  request.set_email("not-an-email");
  EXPECT_EQ(RejectedField(Validate(request)), "email");
  request = ValidVerify();
  request.set_team_slug("my/team");
  EXPECT_EQ(RejectedField(Validate(request)), "team_slug");
  request = ValidVerify();
  request.set_sso_user_id("a?b");
  EXPECT_EQ(RejectedField(Validate(request)), "sso_user_id");
  request = ValidVerify();
  request.set_team_name("My Team \xC3\xA9");
  EXPECT_TRUE(Validate(request).ok());
}

}  // namespace
}  // namespace vercel_tokens
