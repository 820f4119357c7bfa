#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_PROCESS_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_PROCESS_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vercel_tokens::integration {

// One of the two output streams of a child process.
enum class Stream { kStdout, kStderr };

// Returns this test's environment without any `VERCEL_*` variable (so that a
// developer's own token never reaches a test), plus `extra` ("NAME" ->
// "value").
std::vector<std::string> TestEnvironment(
    const std::map<std::string, std::string>& extra = {});

// A child process whose stdout and stderr are captured through pipes; its
// stdin is /dev/null.
//
// Two reader threads drain the pipes for the whole life of the child, so the
// child never blocks on a full pipe and every byte it writes stays available
// through Output(). A third thread reaps the child. Destroying a Process kills
// the child (SIGKILL) if it still runs and joins the threads.
//
// Thread-safe: any method may be called from any thread.
class Process {
 public:
  // Starts `argv[0]` (a path) with `argv` and the environment `env`
  // ("NAME=value" entries).
  static absl::StatusOr<std::unique_ptr<Process>> Start(
      const std::vector<std::string>& argv,
      const std::vector<std::string>& env);

  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // Consumes the lines of `stream` not consumed yet, in order, until one
  // contains `needle`, and returns that line without its newline. Fails with
  // DEADLINE_EXCEEDED after `timeout`, or NOT_FOUND when the stream ends
  // first.
  absl::StatusOr<std::string> WaitForLine(Stream stream,
                                          absl::string_view needle,
                                          absl::Duration timeout);

  // Returns everything the child wrote to `stream` so far.
  std::string Output(Stream stream) const;

  // Sends `signal` to the child unless it has already exited.
  absl::Status Signal(int signal);

  // Waits until the child has exited and both streams have ended, and
  // returns its exit code. Fails with DEADLINE_EXCEEDED after `timeout`, or
  // ABORTED when a signal killed the child.
  absl::StatusOr<int> Wait(absl::Duration timeout);

 private:
  // The parent's end of one output pipe and what was read from it.
  struct Capture {
    std::string text;
    size_t consumed = 0;  // Offset of the first line WaitForLine has not seen.
    bool ended = false;
  };

  Process(pid_t pid, int stdout_fd, int stderr_fd);

  void Drain(int fd, Stream stream);
  void Reap();
  Capture& CaptureOf(Stream stream) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const Capture& CaptureOf(Stream stream) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const pid_t pid_;
  mutable absl::Mutex mu_;
  Capture stdout_ ABSL_GUARDED_BY(mu_);
  Capture stderr_ ABSL_GUARDED_BY(mu_);
  // The raw wait status, once the child has been reaped.
  std::optional<int> wait_status_ ABSL_GUARDED_BY(mu_);
  std::thread stdout_reader_;
  std::thread stderr_reader_;
  std::thread reaper_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_PROCESS_H_
