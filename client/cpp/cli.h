#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cli_options.h"
#include "grpcpp/grpcpp.h"

namespace vercel_tokens {

// The exit codes of `vercel-tokens`.
inline constexpr int kExitSuccess = 0;
// The call failed, the server is not SERVING, or a file could not be used.
inline constexpr int kExitFailure = 1;
// Unknown subcommand, missing or malformed argument or flag.
inline constexpr int kExitUsage = 2;

// The channel to --server: TLS when --tls (trusting --tls_ca_file when set,
// else the system roots; presenting --tls_cert_file with --tls_key_file when
// set; checking the server's certificate for --tls_server_name when set),
// plaintext otherwise.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const CliOptions& options);

// Whether the TLS flags hold together; the error names the flag.
absl::Status CheckTlsOptions(const CliOptions& options);

// Returns the text that --help shows above the flags: what the program does,
// every subcommand with its flags, where secrets come from, the output and
// the exit codes.
std::string CliUsage();

// Writes `usage error: <message>`, the synopsis and a pointer to --help to
// `err`, and returns kExitUsage.
int ReportUsageError(absl::string_view message, std::ostream& err);

// Runs one `vercel-tokens` invocation. `args` are the positional arguments,
// the subcommand first. Writes the response to `out` and errors, prompts and
// notes to `err`; never writes the caller's token or the verification token.
// Returns the exit code. Blocks until the call (or, for `login`, the whole
// login) is done; thread-compatible.
int RunCli(const CliOptions& options, absl::Span<const std::string> args,
           std::ostream& out, std::ostream& err);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CLI_H_
