#include "tests/integration/cli_runner.h"

#include "absl/time/time.h"

namespace vercel_tokens::integration {

absl::StatusOr<std::unique_ptr<Process>> StartCli(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {VUT_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return Process::Start(argv, TestEnvironment(env));
}

absl::StatusOr<CliResult> RunCli(
    const std::vector<std::string>& args,
    const std::map<std::string, std::string>& env) {
  auto process = StartCli(args, env);
  if (!process.ok()) return process.status();
  auto exit_code = (*process)->Wait(absl::Seconds(20));
  if (!exit_code.ok()) return exit_code.status();
  return CliResult{*exit_code, (*process)->Output(Stream::kStdout),
                   (*process)->Output(Stream::kStderr)};
}

}  // namespace vercel_tokens::integration
