#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_LIBRARY_LOGS_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_LIBRARY_LOGS_H_

#include "server/common/logger.h"

namespace vercel_tokens {

// Routes what gRPC (gpr_log) and protobuf (GOOGLE_LOG) would print as plain
// text on stderr through `logger`, as JSON lines with `library` ("grpc" or
// "protobuf") and `source` (file:line) fields, so that every line the
// server writes is JSON whatever a client sends. Their severities map to
// debug, info, warning and error.
//
// Process-wide: call once in main(), before gRPC starts. `logger` must live
// until the process exits (the libraries may log from any thread at any
// time, exit included).
void RouteLibraryLogs(Logger* logger);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_LIBRARY_LOGS_H_
