#include "server/common/logger.h"

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

const absl::Time kTime = absl::FromUnixMillis(1700000000123);

TEST(FormatLogLineTest, WritesTimeLevelMessageAndFieldsInOrder) {
  EXPECT_EQ(
      FormatLogLine(kTime, LogLevel::kWarning, "call",
                    {{"method", absl::string_view("GetAuthToken")},
                     {"upstream_status", int64_t{404}},
                     {"latency_ms", 12.3456}}),
      R"({"time":"2023-11-14T22:13:20.123Z","level":"warning","msg":"call",)"
      R"("method":"GetAuthToken","upstream_status":404,"latency_ms":12.346})");
}

TEST(FormatLogLineTest, EscapesStringsAndReplacesInvalidUtf8) {
  EXPECT_EQ(FormatLogLine(kTime, LogLevel::kInfo, "a\"b\\c\nd\x01",
                          {{"k", absl::string_view("\xC3\xA9\xFF")}}),
            R"({"time":"2023-11-14T22:13:20.123Z","level":"info",)"
            R"("msg":"a\"b\\c\u000ad\u0001","k":"é\ufffd"})");
}

// Lines within one second share the formatted second; each still shows its
// own time, as do lines in other seconds, earlier ones and before 1970.
TEST(FormatLogLineTest, ShowsEachLinesOwnTime) {
  for (const auto& [millis, text] :
       std::vector<std::pair<int64_t, std::string>>{
           {1700000000123, "2023-11-14T22:13:20.123Z"},
           {1700000000999, "2023-11-14T22:13:20.999Z"},
           {1700000001000, "2023-11-14T22:13:21.000Z"},
           {1700000000007, "2023-11-14T22:13:20.007Z"},
           {1700000000007, "2023-11-14T22:13:20.007Z"},
           {-1, "1969-12-31T23:59:59.999Z"},
           {0, "1970-01-01T00:00:00.000Z"},
       }) {
    EXPECT_EQ(
        FormatLogLine(absl::FromUnixMillis(millis), LogLevel::kInfo, "m", {}),
        absl::StrCat(R"({"time":")", text, R"(","level":"info","msg":"m"})"));
  }
}

TEST(FormatLogLineTest, KeepsLongPlainTextWhole) {
  const std::string text(1000, 'x');
  EXPECT_EQ(
      FormatLogLine(kTime, LogLevel::kInfo, text, {{"k", text + "\n"}}),
      absl::StrCat(R"({"time":"2023-11-14T22:13:20.123Z","level":"info",)",
                   R"("msg":")", text, R"(","k":")", text, R"(\u000a"})"));
}

TEST(ParseLogLevelTest, AcceptsTheFourNames) {
  LogLevel level;
  ASSERT_TRUE(ParseLogLevel("debug", &level));
  EXPECT_EQ(level, LogLevel::kDebug);
  ASSERT_TRUE(ParseLogLevel("error", &level));
  EXPECT_EQ(level, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("INFO", &level));
  EXPECT_FALSE(ParseLogLevel("verbose", &level));
}

TEST(LoggerTest, DropsLinesBelowTheMinimumLevel) {
  std::ostringstream out;
  Logger logger(&out, LogLevel::kWarning);
  logger.Log(LogLevel::kInfo, "hidden");
  logger.Log(LogLevel::kError, "shown", {{"n", int64_t{1}}});
  const std::string text = out.str();
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  EXPECT_NE(text.find(R"("level":"error","msg":"shown","n":1})"),
            std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_FALSE(logger.Enabled(LogLevel::kInfo));
  EXPECT_TRUE(logger.Enabled(LogLevel::kWarning));
}

}  // namespace
}  // namespace vercel_tokens
