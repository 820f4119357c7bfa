#include "server/common/library_logs.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/grpc.h"
#include "grpc/support/log.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Routing is process-wide: one logger for the whole test binary.
std::ostringstream& Output() {
  static auto* out = new std::ostringstream;
  static Logger* logger = [] {
    auto* l = new Logger(out, LogLevel::kDebug);
    RouteLibraryLogs(l);
    grpc_init();  // As a server does: reads gRPC's log verbosity.
    return l;
  }();
  (void)logger;
  return *out;
}

TEST(LibraryLogsTest, GrpcLinesBecomeJson) {
  std::ostringstream& out = Output();
  out.str("");

  gpr_log(GPR_ERROR, "Handshake failed with \"%s\"", "SSL_ERROR_SSL");

  EXPECT_THAT(out.str(),
              AllOf(StartsWith("{\"time\":"), HasSubstr("\"level\":\"error\""),
                    HasSubstr("\"msg\":\"Handshake failed with "
                              "\\\"SSL_ERROR_SSL\\\"\""),
                    HasSubstr("\"library\":\"grpc\""),
                    HasSubstr("library_logs_test.cc:")));
}

TEST(LibraryLogsTest, ProtobufLinesBecomeJson) {
  std::ostringstream& out = Output();
  out.str("");

  GOOGLE_LOG(ERROR) << "String field contains invalid UTF-8 data: \xc3\x28";

  EXPECT_THAT(out.str(),
              AllOf(StartsWith("{\"time\":"), HasSubstr("\"level\":\"error\""),
                    HasSubstr("invalid UTF-8 data: \\ufffd("),
                    HasSubstr("\"library\":\"protobuf\"")));
  EXPECT_EQ(out.str().back(), '\n');
}

}  // namespace
}  // namespace vercel_tokens
