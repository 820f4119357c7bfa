#include "server/common/text.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

TEST(Utf8SequenceLengthTest, AcceptsValidSequences) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("\xE2\x82\xAC", 0), 3u);      // €
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // 😀
}

TEST(Utf8SequenceLengthTest, RejectsInvalidSequences) {
  EXPECT_EQ(Utf8SequenceLength("\xC3", 0), 0u);              // Truncated.
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // Overlong.
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // Surrogate.
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // > U+10FFFF.
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // Continuation.
  EXPECT_EQ(Utf8SequenceLength("\xFF", 0), 0u);
}

TEST(SanitizeUpstreamTextTest, RedactsSecretsRawAndPercentEncoded) {
  const std::string out = SanitizeUpstreamText(
      "token abc/def= is invalid; see ?t=abc%2Fdef%3D", {"abc/def="}, 512);
  EXPECT_EQ(out, "token [redacted] is invalid; see ?t=[redacted]");
}

constexpr char kToken[] = "Tok3n+Secret/Value=99";

TEST(RedactSecretsTest, RedactsEncodedAndRecasedForms) {
  const std::string forms[] = {
      "tok3n%2bsecret%2fvalue%3d99",  // Lower-case percent-encoding.
      "Tok3n%2BSecret%2FValue%3D99",  // Upper-case percent-encoding.
      "tok3n+secret/value=99",        // Lower-cased.
      "TOK3N+SECRET/VALUE=99",        // Upper-cased.
  };
  for (const std::string& form : forms) {
    EXPECT_EQ(RedactSecrets(absl::StrCat("echo ", form, "."), {kToken}),
              "echo [redacted].")
        << form;
  }
}

TEST(RedactSecretsTest, RedactsFormEncodedSpaces) {
  EXPECT_EQ(RedactSecrets("code=Funky+Dolphin&x=1", {"Funky Dolphin"}),
            "code=[redacted]&x=1");
  EXPECT_EQ(RedactSecrets("code=funky%20dolphin", {"Funky Dolphin"}),
            "code=[redacted]");
}

TEST(RedactSecretsTest, RedactsBase64InEveryAlphabetAndAlignment) {
  for (const std::string prefix : {"", "a", "ab", "Bearer "}) {
    const std::string plain = absl::StrCat(prefix, kToken, "!");
    const std::string std_padded = absl::Base64Escape(plain);
    const std::string url_safe = absl::WebSafeBase64Escape(plain);
    for (const std::string& encoded :
         {std_padded, std::string(absl::StripSuffix(std_padded, "=")),
          url_safe}) {
      const std::string out = RedactSecrets(encoded, {kToken});
      // Around the redaction, only the encoding of the prefix and of the
      // characters sharing a group with it remains.
      const std::vector<std::string> rest = absl::StrSplit(out, "[redacted]");
      ASSERT_EQ(rest.size(), 2u) << encoded << " -> " << out;
      EXPECT_LE(rest[0].size(), prefix.size() * 4 / 3 + 2) << out;
      EXPECT_LE(rest[1].size(), 6u) << out;
    }
  }
}

TEST(RedactSecretsTest, LeavesOtherTextAlone) {
  EXPECT_EQ(RedactSecrets("nothing to see, token abc", {kToken, ""}),
            "nothing to see, token abc");
  EXPECT_THAT(SecretForms(""), ::testing::IsEmpty());
}

TEST(SanitizeUpstreamTextTest, IgnoresEmptySecrets) {
  EXPECT_EQ(SanitizeUpstreamText("plain", {""}, 512), "plain");
}

TEST(SanitizeUpstreamTextTest, ReplacesControlAndInvalidBytes) {
  EXPECT_EQ(SanitizeUpstreamText("a\nb\x01\xFF"
                                 "c",
                                 {}, 512),
            "a?b??c");
}

TEST(IsUnsafeInTextTest, ControlsAndBidiFormattingOnly) {
  for (char32_t c : {0x00, 0x1F, 0x7F, 0x80, 0x85, 0x9F, 0x061C, 0x200E, 0x200F,
                     0x202A, 0x202E, 0x2066, 0x2069}) {
    EXPECT_TRUE(IsUnsafeInText(c)) << static_cast<int>(c);
  }
  for (char32_t c : {0x20, 0x7E, 0xA0, 0xE9, 0x05D0, 0x200B, 0x2029, 0x202F,
                     0x206A, 0x1F600}) {
    EXPECT_FALSE(IsUnsafeInText(c)) << static_cast<int>(c);
  }
}

TEST(Utf8CodePointTest, DecodesEachLength) {
  EXPECT_EQ(Utf8CodePoint("a", 0, 1), U'a');
  EXPECT_EQ(Utf8CodePoint("\xC2\x85", 0, 2), 0x85u);
  EXPECT_EQ(Utf8CodePoint("\xE2\x80\xAE", 0, 3), 0x202Eu);
  EXPECT_EQ(Utf8CodePoint("\xF0\x9F\x98\x80", 0, 4), 0x1F600u);
}

TEST(SanitizeUpstreamTextTest, ReplacesC1AndBidiFormatting) {
  EXPECT_EQ(SanitizeUpstreamText("a\xC2\x85"
                                 "b\xE2\x80\xAE"
                                 "c",
                                 {}, 512),
            "a?b?c");
}

TEST(SanitizeUpstreamTextTest, CutsOnCharacterBoundary) {
  // "é" is two bytes; a cut at 2 bytes must not split it.
  EXPECT_EQ(SanitizeUpstreamText("a\xC3\xA9z", {}, 2), "a");
  EXPECT_EQ(SanitizeUpstreamText("a\xC3\xA9z", {}, 3), "a\xC3\xA9");
  EXPECT_EQ(SanitizeUpstreamText(std::string(1000, 'x'), {}, 10).size(), 10u);
}

}  // namespace
}  // namespace vercel_tokens
