#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_LOGGER_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_LOGGER_H_

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <variant>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vercel_tokens {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning" or "error".
absl::string_view LogLevelName(LogLevel level);

// Parses a LogLevelName; false for anything else.
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// One key and value of a log line. Values are strings, integers or reals.
struct LogField {
  absl::string_view key;
  std::variant<absl::string_view, int64_t, double> value;
};

// Formats one JSON log line (no trailing newline):
// {"time":"<RFC 3339 UTC, ms>","level":"info","msg":"...", <fields>...}.
// Strings are JSON-escaped; invalid UTF-8 becomes U+FFFD. Pure.
std::string FormatLogLine(absl::Time time, LogLevel level,
                          absl::string_view message,
                          std::initializer_list<LogField> fields);

// Writes JSON log lines at or above a minimum level to a stream, one whole
// line per write. Thread-safe. The stream must outlive the logger. Callers
// must never pass secrets: a log line is meant to be read by operators.
class Logger {
 public:
  Logger(std::ostream* out, LogLevel min_level);

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void Log(LogLevel level, absl::string_view message,
           std::initializer_list<LogField> fields = {});
  // Like Log, whatever the minimum level: for lines that must never be
  // dropped, such as the audit trail.
  void LogUnfiltered(LogLevel level, absl::string_view message,
                     std::initializer_list<LogField> fields = {});

 private:
  const LogLevel min_level_;
  absl::Mutex mu_;
  std::ostream* const out_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_LOGGER_H_
