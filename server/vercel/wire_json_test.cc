#include "server/vercel/wire_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/vercel/vercel_wire.pb.h"

namespace vercel_tokens {
namespace {

namespace wire = ::vercel::authentication::wire;

// What protobuf's own parser makes of `json`, as the server read bodies
// before ParseWireJson.
template <typename Wire>
absl::Status ProtobufParse(const std::string& json, Wire* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status =
      google::protobuf::util::JsonStringToMessage(json, out, options);
  return status.ok() ? absl::OkStatus() : absl::InvalidArgumentError("no");
}

// Inputs on which both parsers agree: whether they accept, and what they
// read.
template <typename Wire>
void ExpectSameAsProtobuf(const std::string& json) {
  Wire ours, theirs;
  const absl::Status ours_status = ParseWireJson(json, &ours);
  const absl::Status theirs_status = ProtobufParse(json, &theirs);
  ASSERT_EQ(ours_status.ok(), theirs_status.ok())
      << json << "\nours: " << ours_status;
  if (ours_status.ok()) {
    EXPECT_TRUE(
        google::protobuf::util::MessageDifferencer::Equals(ours, theirs))
        << json << "\nours: " << ours.DebugString()
        << "\ntheirs: " << theirs.DebugString();
  }
}

TEST(ParseWireJsonTest, ReadsWhatProtobufsParserReads) {
  for (
      const char* json : {
          R"({})",
          R"(  {"tokens": []}  )",
          R"({"tokens": [{"id": "t1", "name": "deploy", "type": "oauth2-token",
              "origin": "github", "prefix": "vcp_", "suffix": "abcd",
              "leakedUrl": "https://x", "projectId": "prj_1",
              "expiresAt": 1732816536005, "activeAt": 0,
              "createdAt": 1632816536007, "leakedAt": 1, "revokedAt": -5,
              "scopes": [{"type": "user", "origin": "email",
                          "createdAt": 1632816536002,
                          "sudo": {"origin": "totp", "expiresAt": 7,
                                   "verifiedAt": 8}},
                         {"type": "team", "teamId": "team_1"}]}],
             "testingToken": {"id": "t2"},
             "pagination": {"count": 3, "next": 1632816536001, "prev": null}})",
          // Proto names as well as JSON names.
          R"({"testing_token": {"id": "t", "expires_at": 5}})",
          // Unknown keys, whatever their value, at every level.
          R"({"x": {"a": [1, {"b": null}, "c", true, false, -1.5e-3]},
              "tokens": [{"id": "t", "future": [[[]]], "scopes": [
                 {"also": {}, "type": "user"}]}], "y": "\u00e9"})",
          // null leaves a field unset.
          R"({"tokens": null, "testingToken": null,
              "pagination": {"count": null}})",
          R"({"tokens": [{"id": null, "expiresAt": null}]})",
          // Integers: exponents, quoted, negative zero, the extremes.
          R"({"pagination": {"count": 1e3}})",
          R"({"pagination": {"count": "42"}})",
          R"({"pagination": {"count": -0}})",
          R"({"pagination": {"count": 9223372036854775807}})",
          R"({"pagination": {"count": -9223372036854775808}})",
          // Any value in a google.protobuf.Value.
          R"({"pagination": {"next": "cursor", "prev": {"a": [1, "b", null,
              true, {"c": false}]}}})",
          // Escapes and UTF-8.
          R"({"testingToken": {"id": "a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u20ac"}})",
          R"({"testingToken": {"id": "\ud83d\ude00 \u00e9 é 😀"}})",
          // Errors.
          R"({"error": {"code": "rate_limited", "message": "slow down",
              "limit": {"remaining": 0, "reset": 1700000000, "total": 100},
              "invalidToken": true, "saml": false, "scope": "team_1"}})",
          // Not a body protobuf accepts.
          R"()",
          R"([])",
          R"("text")",
          R"(null)",
          R"({"tokens": ["t"]})",
          R"({"testingToken": []})",
          R"({"testingToken": {"id": 5}})",
          R"({"testingToken": {"id": true}})",
          R"({"pagination": {"count": 1.5}})",
          R"({"pagination": {"count": "1.5"}})",
          R"({"pagination": {"count": true}})",
          R"({"pagination": {"count": 9223372036854775808}})",
          R"({"pagination": {"count": 1e19}})",
          R"({"error": {"invalidToken": 1}})",
          R"({"tokens": []} x)",
          R"({"tokens": [])",
          R"({"testingToken": {"id": "\u12"}})",
          R"({"testingToken": {"id": "unterminated}})",
          R"({"x": 01})",
          R"({"x": +1})",
          R"({"x": .5})",
          R"({"x": NaN})",
          R"({"x": tru})",
      }) {
    ExpectSameAsProtobuf<wire::ListTokensBody>(json);
    ExpectSameAsProtobuf<wire::ErrorBody>(json);
  }
}

TEST(ParseWireJsonTest, ReadsDoublesAsProtobufDoes) {
  for (const char* json : {
           R"({"expiresAt": 1732816536005})",
           R"({"expiresAt": -1.25e2})",
           R"({"expiresAt": "3.5"})",
           R"({"expiresAt": "Infinity"})",
           R"({"expiresAt": "-Infinity"})",
           R"({"expiresAt": 1e999})",
           R"({"expiresAt": "x"})",
       }) {
    ExpectSameAsProtobuf<wire::CreateTokenRequestBody>(json);
  }
}

// protobuf's parser also takes what RFC 8259 does not (an object for an
// array, null in an array of messages, trailing commas, single quotes,
// unknown escapes, "1."); Vercel sends JSON, and anything else is a
// malformed response.
TEST(ParseWireJsonTest, TakesOnlyJson) {
  wire::ListTokensBody out;
  for (const char* json : {
           R"({"tokens": {}})",
           R"({"tokens": [null]})",
           R"({"tokens": [],})",
           R"({"tokens": [{"id": "t"},]})",
           R"({'tokens': []})",
           R"({"testingToken": {"id": "\x"}})",
           R"({"x": 1.})",
       }) {
    EXPECT_EQ(ParseWireJson(json, &out).code(),
              absl::StatusCode::kInvalidArgument)
        << json;
  }
}

// protobuf's parser loses the id here, and reads `{"": {...}}` as binary
// unknown fields (found by fuzz/wire_json_fuzzer.cc); an empty key is just
// an unknown one.
TEST(ParseWireJsonTest, SkipsAnEmptyKeyLikeAnyUnknownOne) {
  wire::ListTokensBody out;
  ASSERT_TRUE(ParseWireJson(R"({"tokens": [{"id": "t", "": [{"sudo": {}}],
      "scopes": [{"": {"origin": "x"}, "type": "user"}]}]})",
                            &out)
                  .ok());
  ASSERT_EQ(out.tokens_size(), 1);
  EXPECT_EQ(out.tokens(0).id(), "t");
  ASSERT_EQ(out.tokens(0).scopes_size(), 1);
  EXPECT_EQ(out.tokens(0).scopes(0).origin(), "");
  EXPECT_EQ(out.tokens(0).scopes(0).type(), "user");
  EXPECT_TRUE(out.tokens(0)
                  .scopes(0)
                  .GetReflection()
                  ->GetUnknownFields(out.tokens(0).scopes(0))
                  .empty());
}

TEST(ParseWireJsonTest, ReadsNaN) {
  wire::CreateTokenRequestBody out;
  ASSERT_TRUE(ParseWireJson(R"({"expiresAt": "NaN"})", &out).ok());
  EXPECT_TRUE(std::isnan(out.expires_at()));
}

TEST(ParseWireJsonTest, RejectsWhatCannotBeValidText) {
  wire::GetTokenBody out;
  for (const std::string& json : {
           std::string("{\"token\": {\"id\": \"\xff\"}}"),
           std::string("{\"token\": {\"id\": \"\xc3\"}}"),
           std::string("{\"token\": {\"id\": \"\xed\xa0\x80\"}}"),  // U+D800
           std::string("{\"token\": {\"id\": \"a\x01z\"}}"),
           std::string(R"({"token": {"id": "\ud800"}})"),
           std::string(R"({"token": {"id": "\ud800\u0041"}})"),
           std::string(R"({"token": {"id": "\ude00"}})"),
       }) {
    EXPECT_EQ(ParseWireJson(json, &out).code(),
              absl::StatusCode::kInvalidArgument)
        << json;
  }
}

TEST(ParseWireJsonTest, TheLastOfARepeatedKeyWins) {
  wire::ListTokensBody out;
  ASSERT_TRUE(ParseWireJson(R"({"tokens": [{"id": "a"}, {"id": "b"}],
      "testingToken": {"id": "x", "name": "first"},
      "pagination": {"next": {"a": 1}},
      "tokens": [{"id": "c"}],
      "testingToken": {"id": "y"},
      "pagination": {"next": {"b": 2}}})",
                            &out)
                  .ok());
  ASSERT_EQ(out.tokens_size(), 1);
  EXPECT_EQ(out.tokens(0).id(), "c");
  EXPECT_EQ(out.testing_token().id(), "y");
  EXPECT_EQ(out.testing_token().name(), "");
  EXPECT_EQ(out.pagination().next().struct_value().fields().size(), 1);
}

TEST(ParseWireJsonTest, ClearsTheMessageFirst) {
  wire::GetTokenBody out;
  out.mutable_token()->set_name("stale");
  ASSERT_TRUE(ParseWireJson(R"({"token": {"id": "t"}})", &out).ok());
  EXPECT_EQ(out.token().name(), "");
}

// A hostile or broken upstream cannot exhaust the stack.
TEST(ParseWireJsonTest, BoundsNesting) {
  wire::ListTokensBody out;
  std::string deep_unknown = R"({"x": )";
  std::string deep_value = R"({"pagination": {"next": )";
  for (int i = 0; i < 100000; ++i) {
    deep_unknown += "[";
    deep_value += "[";
  }
  EXPECT_EQ(ParseWireJson(deep_unknown, &out).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseWireJson(deep_value, &out).code(),
            absl::StatusCode::kInvalidArgument);

  // The top object and `arrays` arrays in one another.
  auto nested = [](int arrays) {
    return absl::StrCat(R"({"x": )", std::string(arrays, '['),
                        std::string(arrays, ']'), "}");
  };
  EXPECT_TRUE(ParseWireJson(nested(99), &out).ok());
  EXPECT_EQ(ParseWireJson(nested(100), &out).code(),
            absl::StatusCode::kInvalidArgument);
  // Through messages the same: the top object, tokens, a token, scopes, a
  // scope and sudo are 6, so 94 more arrays may nest under sudo.
  auto under_sudo = [](int arrays) {
    return absl::StrCat(R"({"tokens": [{"scopes": [{"sudo": {"x": )",
                        std::string(arrays, '['), std::string(arrays, ']'),
                        "}}]}]}");
  };
  EXPECT_TRUE(ParseWireJson(under_sudo(94), &out).ok());
  EXPECT_EQ(ParseWireJson(under_sudo(95), &out).code(),
            absl::StatusCode::kInvalidArgument);
}

// The error names where the input went wrong, never what it holds: a body
// can carry a secret.
TEST(ParseWireJsonTest, ErrorsNeverQuoteTheInput) {
  wire::CreateTokenBody out;
  const std::string json =
      R"({"bearerToken": "vca_secret0123456789", "token": {"id": 5}})";
  const absl::Status status = ParseWireJson(json, &out);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message().find("secret"), absl::string_view::npos) << status;
  EXPECT_EQ(status.message(),
            absl::StrCat("invalid JSON at byte ", json.find("5}"),
                         ": expected a string"));
}

// The cases where RapidJSON, which reads the bodies since issue 18, could
// have differed from the hand-written reader it replaced.

TEST(ParseWireJsonTest, RefusesInvalidUtf8AnywhereInAString) {
  wire::ListTokensBody out;
  for (const std::string& json : {
           std::string(
               "{\"testingToken\": {\"id\": \"\xc0\xaf\"}}"),  // Overlong.
           std::string("{\"testingToken\": {\"id\": \"\xf4\x90\x80\x80\"}}"),
           std::string("{\"testingToken\": {\"id\": \"\x80\"}}"),
           std::string("{\"testingToken\": {\"id\": \"\xe2\x82\"}}"),
           std::string("{\"unknown\": \"\xff\"}"),
           std::string("{\"\xff\": 1}"),
           std::string("{\"pagination\": {\"next\": \"\xfe\"}}"),
           std::string("{\"testingToken\": \xc3\xa9}"),
       }) {
    EXPECT_EQ(ParseWireJson(json, &out).code(),
              absl::StatusCode::kInvalidArgument)
        << json;
  }
  ASSERT_TRUE(
      ParseWireJson("{\"testingToken\": {\"id\": \"\xc3\xa9\xe2\x82\xac\xf0\x9f"
                    "\x98\x80\"}}",
                    &out)
          .ok());
  EXPECT_EQ(out.testing_token().id(), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}

TEST(ParseWireJsonTest, RefusesLoneSurrogateEscapesInValuesAndKeys) {
  wire::ListTokensBody out;
  for (const char* json : {
           R"({"testingToken": {"id": "\udc00"}})",
           R"({"testingToken": {"id": "a\uDFFFb"}})",
           R"({"testingToken": {"id": "\udc00\ud800"}})",
           R"({"testingToken": {"id": "\ud800\ud800"}})",
           R"({"testingToken": {"id": "\ud800"}})",
           R"({"unknown": "\udc00"})",
           R"({"\udc00": 1})",
           R"({"pagination": {"next": {"\ud800": 1}}})",
           R"({"pagination": {"next": ["\udfff"]}})",
       }) {
    const absl::Status status = ParseWireJson(json, &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << json;
  }
  ASSERT_TRUE(
      ParseWireJson(R"({"testingToken": {"id": "\ud83d\ude00\ud7ff\ue000"}})",
                    &out)
          .ok());
  EXPECT_EQ(out.testing_token().id(),
            "\xf0\x9f\x98\x80\xed\x9f\xbf\xee\x80\x80");
}

// 10,000 levels, of every kind the reader meets: an unknown key's arrays
// and objects, a google.protobuf.Value's, and messages in messages.
TEST(ParseWireJsonTest, RefusesTenThousandLevelsCleanly) {
  constexpr int kLevels = 10000;
  std::string arrays_unknown = R"({"x": )";
  std::string objects_unknown = R"({"x": )";
  std::string arrays_value = R"({"pagination": {"next": )";
  std::string objects_value = R"({"pagination": {"next": )";
  std::string tokens = "{";
  for (int i = 0; i < kLevels; ++i) {
    arrays_unknown += "[";
    objects_unknown += R"({"a": )";
    arrays_value += "[";
    objects_value += R"({"a": )";
    tokens += R"("testingToken": {"scopes": [{"sudo": {"x": [)";
  }
  wire::ListTokensBody out;
  for (const std::string* json :
       {&arrays_unknown, &objects_unknown, &arrays_value, &objects_value}) {
    const absl::Status status = ParseWireJson(*json, &out);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::EndsWith(status.message(), ": nested too deeply"))
        << status;
  }
  // The 101st opening is refused where it stands.
  const absl::Status status = ParseWireJson(arrays_unknown, &out);
  EXPECT_EQ(status.message(), absl::StrCat("invalid JSON at byte ", 6 + 99,
                                           ": nested too deeply"));
  EXPECT_EQ(ParseWireJson(tokens, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseWireJsonTest, ReadsNumbersAtTheEdges) {
  wire::ListTokensBody out;
  ASSERT_TRUE(ParseWireJson(R"({"pagination": {"count": -0, "next": -0,
      "prev": 9223372036854775808}})",
                            &out)
                  .ok());
  EXPECT_EQ(out.pagination().count(), 0);
  EXPECT_EQ(out.pagination().next().number_value(), 0);
  EXPECT_TRUE(std::signbit(out.pagination().next().number_value()));
  EXPECT_EQ(out.pagination().prev().number_value(), 9223372036854775808.0);

  ASSERT_TRUE(ParseWireJson(R"({"pagination": {"count": "-9223372036854775808",
      "next": 1E2, "prev": 1e-400}})",
                            &out)
                  .ok());
  EXPECT_EQ(out.pagination().count(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out.pagination().next().number_value(), 100);
  EXPECT_EQ(out.pagination().prev().number_value(), 0);

  ASSERT_TRUE(
      ParseWireJson(R"({"pagination": {"count": 9.2233720368547748e18}})", &out)
          .ok());
  EXPECT_EQ(out.pagination().count(), 9223372036854774784);

  for (const char* json : {
           R"({"pagination": {"count": 9223372036854775808}})",
           R"({"pagination": {"count": "9223372036854775808"}})",
           R"({"pagination": {"count": -9223372036854775809}})",
           R"({"pagination": {"count": 18446744073709551616}})",
           R"({"pagination": {"count": 1e400}})",
           R"({"pagination": {"count": "1e3"}})",
           R"({"pagination": {"count": "01"}})",
           R"({"pagination": {"count": " 1"}})",
           R"({"pagination": {"count": 01}})",
           R"({"pagination": {"count": -01}})",
           R"({"pagination": {"count": 00}})",
           R"({"pagination": {"next": 1e400}})",
           R"({"pagination": {"next": -1e400}})",
           R"({"pagination": {"next": 01}})",
           R"({"pagination": {"next": Infinity}})",
           R"({"pagination": {"next": -Infinity}})",
           R"({"pagination": {"next": NaN}})",
           R"({"pagination": {"next": 1.}})",
           R"({"pagination": {"next": -}})",
           R"({"pagination": {"next": 0x10}})",
           // Beyond a double's range even where the reader ignores the
           // value: RapidJSON refuses it while parsing.
           R"({"unknown": 1e400})",
       }) {
    EXPECT_EQ(ParseWireJson(json, &out).code(),
              absl::StatusCode::kInvalidArgument)
        << json;
  }

  wire::CreateTokenRequestBody request;
  EXPECT_EQ(ParseWireJson(R"({"expiresAt": "1e400"})", &request).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(ParseWireJson(R"({"expiresAt": "-0"})", &request).ok());
  EXPECT_TRUE(std::signbit(request.expires_at()));
}

TEST(ParseWireJsonTest, ReadsEscapedKeys) {
  wire::ListTokensBody out;
  ASSERT_TRUE(ParseWireJson(R"({"\u0074okens": [{"\u0069d": "a"}],
      "testing\u005ftoken": {"id": "b"},
      "pagination": {"next": {"k\u00e9y\"": 1}}})",
                            &out)
                  .ok());
  ASSERT_EQ(out.tokens_size(), 1);
  EXPECT_EQ(out.tokens(0).id(), "a");
  EXPECT_EQ(out.testing_token().id(), "b");
  EXPECT_EQ(
      out.pagination().next().struct_value().fields().count("k\xc3\xa9y\""), 1);
}

// RapidJSON stops at a NUL byte as at the end of its input: what follows
// the object is checked to the last byte.
TEST(ParseWireJsonTest, RefusesAnythingAfterTheObject) {
  wire::ListTokensBody out;
  for (const std::string& json : {
           std::string("{}\0x", 4),
           std::string("{} \0", 4),
           std::string("{}{}"),
           std::string("{} // comment"),
           std::string("{\"tokens\": [] /* comment */}"),
       }) {
    EXPECT_EQ(ParseWireJson(json, &out).code(),
              absl::StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ParseWireJson(" \t\r\n{} \t\r\n", &out).ok());
}

TEST(ParseWireJsonTest, ReadsATenMegabyteBody) {
  std::string json = R"({"tokens": [)";
  int tokens = 0;
  while (json.size() < 10 * 1024 * 1024) {
    absl::StrAppend(&json, tokens == 0 ? "" : ",", R"({"id": "tok_)", tokens,
                    R"(", "name": "token \u00e9", "createdAt": 1700000000000,
                    "scopes": [{"type": "user", "origin": "manual"}]})");
    ++tokens;
  }
  absl::StrAppend(&json, R"(], "unknown": ")", std::string(1 << 20, 'x'),
                  R"("})");
  wire::ListTokensBody out;
  ASSERT_TRUE(ParseWireJson(json, &out).ok());
  ASSERT_EQ(out.tokens_size(), tokens);
  EXPECT_EQ(out.tokens(tokens - 1).id(), absl::StrCat("tok_", tokens - 1));
  EXPECT_EQ(out.tokens(tokens - 1).name(), "token \xc3\xa9");
  EXPECT_EQ(out.tokens(tokens - 1).scopes(0).origin(), "manual");
}

}  // namespace
}  // namespace vercel_tokens
