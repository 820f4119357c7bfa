#include "server/common/logger.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/text.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kLevelNames[] = {"debug", "info", "warning",
                                             "error"};

void AppendJsonString(absl::string_view text, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < text.size();) {
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
  std::string line = absl::StrCat(
      "{\"time\":\"",
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()),
      "\",\"level\":\"", LogLevelName(level), "\",\"msg\":");
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
