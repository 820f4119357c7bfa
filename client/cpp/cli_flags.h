#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FLAGS_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FLAGS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace vercel_tokens {

// Checks the flags among `args` (argv without the program name) against the
// Abseil flags registered in this program, before Abseil's own parser sees
// them: that parser exits 1 on an unknown flag or a malformed value, and
// `vercel-tokens` promises 2 for every usage error. Accepts what Abseil
// accepts: `-f` or `--f`, `--f=value`, `--f value` for a non-bool flag,
// `--f`/`--nof` for a bool, Abseil's own (--help, --version, --flagfile...)
// unchecked, and stops at `--`. Returns InvalidArgument
// naming the flag (never echoing an unknown flag's value, which may be a
// secret) with a hint for a common mistake (see FlagHint). Parsing a valid
// value sets the flag, as Abseil's parser is about to do anyway. Reads the
// global flag registry; call it from main() only.
absl::Status CheckFlagArguments(absl::Span<const char* const> args);

// A hint for an unknown flag `name` (without dashes): `token` and the like
// point to --token_file, a dashed spelling (`team-id`) to the underscored
// flag, a prefix (`expires`) to the one flag it starts. Empty when nothing
// fits. `flag_names` are the program's flags. Pure.
std::string FlagHint(absl::string_view name,
                     absl::Span<const std::string> flag_names);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FLAGS_H_
