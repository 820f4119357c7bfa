#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_CLI_RUNNER_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_CLI_RUNNER_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {

// What one run of the `vercel-tokens` CLI did.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Starts `vercel-tokens args...` with `env` added to the test's environment,
// without waiting for it.
absl::StatusOr<std::unique_ptr<Process>> StartCli(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env = {});

// Runs `vercel-tokens args...` to its end (at most 20 seconds).
absl::StatusOr<CliResult> RunCli(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env = {});

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_CLI_RUNNER_H_
