#include "tests/integration/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

extern char** environ;

namespace vercel_tokens::integration {
namespace {

absl::Status ErrnoError(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Turns strings into the null-terminated array of C strings exec wants. The
// pointers stay valid while `strings` does.
std::vector<char*> CStrings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) {
    pointers.push_back(const_cast<char*>(s.c_str()));
  }
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::vector<std::string> TestEnvironment(
    const std::map<std::string, std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!absl::StartsWith(*entry, "VERCEL_")) env.emplace_back(*entry);
  }
  for (const auto& [name, value] : extra) {
    env.push_back(absl::StrCat(name, "=", value));
  }
  return env;
}

absl::StatusOr<std::unique_ptr<Process>> Process::Start(
    const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return ErrnoError("pipe2");
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return ErrnoError("pipe2");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null",
                                   O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);

  // The child starts with no blocked signals and default dispositions, so
  // that SIGTERM reaches it whatever the test's threads did.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);
  pid_t pid;
  const int spawn_error = posix_spawn(&pid, c_argv[0], &actions, &attr,
                                      c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(out[1]);
  close(err[1]);
  if (spawn_error != 0) {
    close(out[0]);
    close(err[0]);
    return absl::InternalError(absl::StrCat("posix_spawn ", argv[0], ": ",
                                            std::strerror(spawn_error)));
  }
  return std::unique_ptr<Process>(new Process(pid, out[0], err[0]));
}

Process::Process(pid_t pid, int stdout_fd, int stderr_fd)
    : pid_(pid),
      stdout_reader_(&Process::Drain, this, stdout_fd, Stream::kStdout),
      stderr_reader_(&Process::Drain, this, stderr_fd, Stream::kStderr),
      reaper_(&Process::Reap, this) {}

Process::~Process() {
  {
    absl::MutexLock lock(&mu_);
    if (!wait_status_.has_value()) kill(pid_, SIGKILL);
  }
  reaper_.join();
  stdout_reader_.join();
  stderr_reader_.join();
}

void Process::Drain(int fd, Stream stream) {
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    absl::MutexLock lock(&mu_);
    if (n <= 0) {
      CaptureOf(stream).ended = true;
      break;
    }
    CaptureOf(stream).text.append(buffer, n);
  }
  close(fd);
}

void Process::Reap() {
  // Waits without reaping first: until the child is reaped under mu_, its
  // pid cannot be reused, so Signal() never hits another process.
  siginfo_t info;
  while (waitid(P_PID, pid_, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  absl::MutexLock lock(&mu_);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  wait_status_ = status;
}

Process::Capture& Process::CaptureOf(Stream stream) {
  return stream == Stream::kStdout ? stdout_ : stderr_;
}

const Process::Capture& Process::CaptureOf(Stream stream) const {
  return stream == Stream::kStdout ? stdout_ : stderr_;
}

absl::StatusOr<std::string> Process::WaitForLine(Stream stream,
                                                 absl::string_view needle,
                                                 absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::MutexLock lock(&mu_);
  Capture& capture = CaptureOf(stream);
  while (true) {
    const size_t newline = capture.text.find('\n', capture.consumed);
    if (newline != std::string::npos) {
      std::string line =
          capture.text.substr(capture.consumed, newline - capture.consumed);
      capture.consumed = newline + 1;
      if (absl::StrContains(line, needle)) return line;
      continue;
    }
    if (capture.ended) {
      return absl::NotFoundError(
          absl::StrCat("stream ended without a line containing \"", needle,
                       "\"; output:\n", capture.text));
    }
    const size_t size = capture.text.size();
    auto grew_or_ended = [&capture, size] {
      return capture.text.size() != size || capture.ended;
    };
    if (!mu_.AwaitWithDeadline(absl::Condition(&grew_or_ended), deadline)) {
      return absl::DeadlineExceededError(absl::StrCat(
          "no line containing \"", needle, "\" within ",
          absl::FormatDuration(timeout), "; output:\n", capture.text));
    }
  }
}

std::string Process::Output(Stream stream) const {
  absl::MutexLock lock(&mu_);
  return CaptureOf(stream).text;
}

absl::Status Process::Signal(int signal) {
  absl::MutexLock lock(&mu_);
  if (wait_status_.has_value()) return absl::OkStatus();
  if (kill(pid_, signal) != 0) return ErrnoError("kill");
  return absl::OkStatus();
}

absl::StatusOr<int> Process::Wait(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto finished = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return wait_status_.has_value() && stdout_.ended && stderr_.ended;
  };
  if (!mu_.AwaitWithTimeout(absl::Condition(&finished), timeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "process ", pid_, " still runs after ", absl::FormatDuration(timeout),
        "; stderr:\n", stderr_.text));
  }
  const int status = *wait_status_;
  if (WIFSIGNALED(status)) {
    return absl::AbortedError(
        absl::StrCat("process ", pid_, " killed by signal ", WTERMSIG(status)));
  }
  return WEXITSTATUS(status);
}

}  // namespace vercel_tokens::integration
