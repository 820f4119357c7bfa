#include "tests/integration/server_process.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/grpc.h"
#include "health_check.h"

namespace vercel_tokens::integration {
namespace {

// The server's JSON log line once it serves, and the field that follows.
constexpr absl::string_view kListeningLine = "\"msg\":\"listening\"";
constexpr absl::string_view kAddressField = "\"address\":\"";

}  // namespace

absl::StatusOr<std::unique_ptr<Process>> ServerProcess::Spawn(
    const std::vector<std::string>& flags,
    const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {VUT_SERVER_PATH};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return Process::Start(argv, TestEnvironment(env));
}

absl::StatusOr<std::unique_ptr<ServerProcess>> ServerProcess::Start(
    const std::string& vercel_api_base_url, const ServerOptions& options) {
  // No probes of the API: tests count the requests the fake receives. A
  // test that wants them passes --upstream_probe_interval, which wins.
  std::vector<std::string> flags = {
      "--listen=127.0.0.1:0",
      absl::StrCat("--vercel_api_base_url=", vercel_api_base_url),
      "--upstream_probe_interval=0"};
  flags.insert(flags.end(), options.flags.begin(), options.flags.end());
  auto process = Spawn(flags, options.env);
  if (!process.ok()) return process.status();
  auto line = (*process)->WaitForLine(Stream::kStderr, kListeningLine,
                                      absl::Seconds(15));
  if (!line.ok()) return line.status();
  absl::string_view text = *line;
  const size_t field = text.find(kAddressField);
  if (field == absl::string_view::npos) {
    return absl::InternalError(absl::StrCat("no address in: ", text));
  }
  text.remove_prefix(field + kAddressField.size());
  std::string address(text.substr(0, text.find('"')));
  return std::unique_ptr<ServerProcess>(
      new ServerProcess(*std::move(process), std::move(address)));
}

ServerProcess::ServerProcess(std::unique_ptr<Process> process,
                             std::string address)
    : process_(std::move(process)), address_(std::move(address)) {}

std::shared_ptr<grpc::Channel> ServerProcess::NewChannel() const {
  return grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
}

std::shared_ptr<grpc::Channel> ServerProcess::NewOwnConnection() const {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(),
                                   args);
}

absl::Status ServerProcess::WaitUntilRefusing(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  grpc::Status status;
  // Polls with a growing pause, so that a server that takes a while to stop
  // listening does not compete with a busy loop for the CPU.
  absl::Duration pause = absl::Milliseconds(10);
  while (true) {
    ServingStatus serving_status;
    status = CheckHealth(NewChannel(), "", absl::Seconds(2), &serving_status);
    if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      return absl::OkStatus();
    }
    const absl::Time now = absl::Now();
    if (now >= deadline) break;
    absl::SleepFor(std::min(pause, deadline - now));
    pause = std::min(pause * 2, absl::Milliseconds(200));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "the server still accepts calls after ", absl::FormatDuration(timeout),
      "; last health check: ", status.error_code(), " ",
      status.error_message()));
}

std::string ServerProcess::Output() const {
  return absl::StrCat(process_->Output(Stream::kStdout),
                      process_->Output(Stream::kStderr));
}

}  // namespace vercel_tokens::integration
