// Whatever a client sends, every line the server writes on stderr is JSON:
// undecodable requests get a call log line like any other, and what gRPC
// and protobuf log about bad input (a failed TLS handshake, invalid UTF-8)
// goes through the server's JSON logger.

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/self_signed.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr char kGetAuthToken[] =
    "/vercel.authentication.v1.UserTokensService/GetAuthToken";

// Sends `bytes` as the request message of `method`, unchecked.
grpc::Status CallWithRawBytes(const std::shared_ptr<grpc::Channel>& channel,
                              const std::string& method,
                              const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kSeedSecret));
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  return status;
}

TEST(HostileInputTest, EveryStderrLineIsJson) {
  char dir_template[] = "/tmp/vut-hostile-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  absl::StatusOr<SelfSigned> cert = MakeSelfSigned(dir, "server");
  ASSERT_TRUE(IsOk(cert.status()));
  absl::StatusOr<std::unique_ptr<FakeVercel>> fake = FakeVercel::Start();
  ASSERT_TRUE(IsOk(fake.status()));
  ServerOptions options;
  options.flags = {absl::StrCat("--tls_cert_file=", cert->cert_file),
                   absl::StrCat("--tls_key_file=", cert->key_file)};
  auto server = ServerProcess::Start((*fake)->base_url(), options);
  ASSERT_TRUE(IsOk(server.status()));
  grpc::SslCredentialsOptions trusting;
  trusting.pem_root_certs = cert->cert_pem;
  auto channel =
      grpc::CreateChannel((*server)->address(), grpc::SslCredentials(trusting));

  // Bytes that are no protobuf message, and a token_id (field 1) that is
  // not UTF-8.
  EXPECT_TRUE(HasCode(CallWithRawBytes(channel, kGetAuthToken,
                                       std::string("\xff\xff\xff\xff\x0f", 5)),
                      grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(HasCode(CallWithRawBytes(channel, kGetAuthToken,
                                       std::string("\x0a\x02\xc3\x28", 4)),
                      grpc::StatusCode::INVALID_ARGUMENT));
  // A plaintext client, and one that does not trust the server's
  // certificate: both handshakes fail.
  ServingStatus status = ServingStatus::kUnknown;
  EXPECT_FALSE(
      CheckHealth((*server)->NewChannel(), "", absl::Seconds(5), &status).ok());
  EXPECT_FALSE(CheckHealth(grpc::CreateChannel((*server)->address(),
                                               grpc::SslCredentials({})),
                           "", absl::Seconds(5), &status)
                   .ok());
  ASSERT_TRUE(IsOk((*server)->process().Signal(SIGTERM)));
  ASSERT_TRUE(IsOk((*server)->process().Wait(absl::Seconds(15)).status()));

  const std::string err = (*server)->process().Output(Stream::kStderr);
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(err, '\n', absl::SkipEmpty())) {
    google::protobuf::Struct parsed;
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(line), &parsed)
            .ok())
        << "not JSON: " << line;
    lines.emplace_back(line);
  }
  EXPECT_THAT(lines, Contains(AllOf(HasSubstr("\"msg\":\"call\""),
                                    HasSubstr("\"code\":\"INVALID_ARGUMENT\""),
                                    HasSubstr("\"method\":\"GetAuthToken\""))));
  EXPECT_THAT(lines, Contains(HasSubstr("\"library\":\"grpc\"")));
  EXPECT_THAT(lines, Contains(HasSubstr("\"library\":\"protobuf\"")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vercel_tokens::integration
