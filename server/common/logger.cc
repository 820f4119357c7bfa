#include "server/common/logger.h"

#include <cstdint>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/text.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kLevelNames[] = {"debug", "info", "warning",
                                             "error"};

bool IsPlainAscii(char c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
    // Runs of characters that need no escaping go in at once.
    const size_t run = i;
    while (i < text.size() && IsPlainAscii(text[i])) ++i;
    out->append(text.data() + run, i - run);
    if (i == text.size()) break;
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out->append("\\ufffd");
      ++i;
      continue;
    }
    const char c = text[i];
    if (length > 1) {
      out->append(text.data() + i, length);
    } else if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      absl::StrAppendFormat(out, "\\u%04x", static_cast<unsigned char>(c));
    } else {
      out->push_back(c);
    }
    i += length;
  }
  out->push_back('"');
}

// Appends `time` as "2023-11-14T22:13:20.123Z". absl::FormatTime costs a
// microsecond or more, so each thread keeps the text of the last second.
void AppendTimestamp(absl::Time time, std::string* out) {
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached_text;
  const int64_t unix_millis = absl::ToUnixMillis(time);
  int64_t second = unix_millis / 1000;
  int millis = static_cast<int>(unix_millis % 1000);
  if (millis < 0) {
    millis += 1000;
    --second;
  }
  if (second != cached_second) {
    cached_text =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                         absl::UTCTimeZone());
    cached_second = second;
  }
  out->append(cached_text);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + millis / 100));
  out->push_back(static_cast<char>('0' + millis / 10 % 10));
  out->push_back(static_cast<char>('0' + millis % 10));
  out->push_back('Z');
}

struct AppendValue {
  std::string* out;
  void operator()(absl::string_view v) const { AppendJsonString(v, out); }
  void operator()(int64_t v) const { absl::StrAppend(out, v); }
  void operator()(double v) const { absl::StrAppendFormat(out, "%.3f", v); }
};

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  return kLevelNames[static_cast<int>(level)];
}

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  for (int i = 0; i < 4; ++i) {
    if (text == kLevelNames[i]) {
      *level = static_cast<LogLevel>(i);
      return true;
    }
  }
  return false;
}

std::string FormatLogLine(absl::Time time, LogLevel level,
                          absl::string_view message,
                          std::initializer_list<LogField> fields) {
  std::string line = "{\"time\":\"";
  AppendTimestamp(time, &line);
  absl::StrAppend(&line, "\",\"level\":\"", LogLevelName(level), "\",\"msg\":");
  AppendJsonString(message, &line);
  for (const LogField& field : fields) {
    line.push_back(',');
    AppendJsonString(field.key, &line);
    line.push_back(':');
    std::visit(AppendValue{&line}, field.value);
  }
  line.push_back('}');
  return line;
}

Logger::Logger(std::ostream* out, LogLevel min_level)
    : min_level_(min_level), out_(out) {}

void Logger::Log(LogLevel level, absl::string_view message,
                 std::initializer_list<LogField> fields) {
  if (!Enabled(level)) return;
  LogUnfiltered(level, message, fields);
}

void Logger::LogUnfiltered(LogLevel level, absl::string_view message,
                           std::initializer_list<LogField> fields) {
  std::string line = FormatLogLine(absl::Now(), level, message, fields);
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  *out_ << line << std::flush;
}

}  // namespace vercel_tokens
