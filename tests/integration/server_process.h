#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_SERVER_PROCESS_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_SERVER_PROCESS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {

// How a test starts the server beyond the defaults.
struct ServerOptions {
  // Extra command-line flags, e.g. `--default_deadline=1s`.
  std::vector<std::string> flags;
  // Extra environment variables, e.g. `VERCEL_TOKEN`.
  std::map<std::string, std::string> env;
};

// The `vercel-tokens-server` binary running in its own process, listening on
// a free loopback port and calling the Vercel API at a given base URL.
//
// Its stdout and stderr are captured for its whole life (see Process), so
// tests can assert what it logged. Destroying it kills the server.
// Thread-safe.
class ServerProcess {
 public:
  // Starts the server with `flags` and `env` only (no --listen or upstream
  // default), without waiting for it to listen.
  static absl::StatusOr<std::unique_ptr<Process>> Spawn(
      const std::vector<std::string>& flags,
      const std::map<std::string, std::string>& env);

  // Starts the server on `127.0.0.1:0` against `vercel_api_base_url` and
  // waits until it says where it listens.
  static absl::StatusOr<std::unique_ptr<ServerProcess>> Start(
      const std::string& vercel_api_base_url,
      const ServerOptions& options = {});

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Where it listens, e.g. `127.0.0.1:40123`.
  const std::string& address() const { return address_; }

  // A new insecure channel to it.
  std::shared_ptr<grpc::Channel> NewChannel() const;

  // A new insecure channel with a connection of its own, not shared with the
  // other channels of this process as gRPC does by default.
  std::shared_ptr<grpc::Channel> NewOwnConnection() const;

  // The server's process, for signals, output and exit status.
  Process& process() { return *process_; }

  // Waits until the server refuses new calls because it has stopped
  // listening (a health check on a new channel fails with UNAVAILABLE), for
  // at most `timeout`.
  absl::Status WaitUntilRefusing(absl::Duration timeout) const;

  // Everything the server wrote so far, stdout then stderr.
  std::string Output() const;

 private:
  ServerProcess(std::unique_ptr<Process> process, std::string address);

  std::unique_ptr<Process> process_;
  std::string address_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_SERVER_PROCESS_H_
