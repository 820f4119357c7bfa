#include "server/common/library_logs.h"

#include <atomic>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"

namespace vercel_tokens {
namespace {

std::atomic<Logger*> library_logger{nullptr};

void Forward(LogLevel level, absl::string_view library, const char* file,
             int line, absl::string_view message) {
  Logger* logger = library_logger.load(std::memory_order_acquire);
  if (logger == nullptr || !logger->Enabled(level)) return;
  const std::string source =
      absl::StrCat(file != nullptr ? file : "", ":", line);
  logger->Log(level, message,
              {{"library", library}, {"source", absl::string_view(source)}});
}

void OnGrpcLog(gpr_log_func_args* args) {
  LogLevel level = LogLevel::kError;
  switch (args->severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      level = LogLevel::kDebug;
      break;
    case GPR_LOG_SEVERITY_INFO:
      level = LogLevel::kInfo;
      break;
    case GPR_LOG_SEVERITY_ERROR:
      level = LogLevel::kError;
      break;
  }
  Forward(level, "grpc", args->file, args->line,
          args->message != nullptr ? args->message : "");
}

void OnProtobufLog(google::protobuf::LogLevel severity, const char* file,
                   int line, const std::string& message) {
  LogLevel level = LogLevel::kError;
  switch (severity) {
    case google::protobuf::LOGLEVEL_INFO:
      level = LogLevel::kInfo;
      break;
    case google::protobuf::LOGLEVEL_WARNING:
      level = LogLevel::kWarning;
      break;
    default:
      level = LogLevel::kError;
  }
  Forward(level, "protobuf", file, line, message);
}

}  // namespace

void RouteLibraryLogs(Logger* logger) {
  library_logger.store(logger, std::memory_order_release);
  gpr_set_log_function(&OnGrpcLog);
  google::protobuf::SetLogHandler(&OnProtobufLog);
}

}  // namespace vercel_tokens
