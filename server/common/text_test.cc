#include "server/common/text.h"

#include <string>

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
