#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_H_

#include <ostream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cli_options.h"

namespace vercel_tokens {

// The exit codes of `vercel-tokens`.
inline constexpr int kExitSuccess = 0;
// The call failed, the server is not SERVING, or a file could not be used.
inline constexpr int kExitFailure = 1;
// Unknown subcommand, missing or malformed argument or flag.
inline constexpr int kExitUsage = 2;

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
