"""The real server and the fake Vercel API, for the Kubernetes tests.

ServerStack starts tests/fake_vercel/fake_vercel.py (reset to one token,
harness.SEED_SECRET, which is also the server's own token) and the server
with the flags a test gives, as tests/examples/harness.py does, and reads the
server's log lines on a thread of its own (a test that sends hundreds of calls
must not fill the pipe), so a test can assert what was logged. `call` sends
one gRPC call with a workload token in `x-workload-token`.

The server binary comes from VUT_SERVER_PATH (set by CTest), else
build/server/vercel-tokens-server.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading

import cluster
import grpc_call

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] /
                       "examples"))
import harness  # noqa: E402  (tests/examples/harness.py)

WORKLOAD_TOKEN_KEY = "x-workload-token"
START_TIMEOUT_S = 60


class ServerStack:
    """The fake Vercel API and a server in front of it (a context manager).

    `flags` are the server's extra flags; `policy` (a dict) is written to a
    file passed as --policy_file. The server's own Vercel token is the fake's
    seed token (--vercel_token_file).
    """

    def __init__(self, flags: tuple[str, ...] = (),
                 policy: dict | None = None) -> None:
        self._flags = flags
        self._policy = policy
        self._lines: list[str] = []
        self._cond = threading.Condition()
        self._fake = self._server = self._drainer = None

    def __enter__(self) -> "ServerStack":
        self._dir = tempfile.TemporaryDirectory(prefix="vut-kube-server-")
        folder = pathlib.Path(self._dir.name)
        token_file = folder / "vercel-token"
        token_file.write_text(harness.SEED_SECRET)
        flags = [f"--vercel_token_file={token_file}", *self._flags]
        if self._policy is not None:
            policy_file = folder / "policy.json"
            policy_file.write_text(json.dumps(self._policy))
            flags.append(f"--policy_file={policy_file}")
        self._fake = subprocess.Popen(
            [sys.executable, str(harness.FAKE), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = harness._read_line(self._fake, self._fake.stdout,
                                      "PORT ").split()[1]
            self.fake_url = f"http://127.0.0.1:{port}"
            self.control("/_fake/reset", {
                "tokens": [{"name": "seed", "bearerToken": harness.SEED_SECRET,
                            "teamId": harness.SEED_TEAM}]})
            self._server = subprocess.Popen(
                [harness._server_path(), "--listen=127.0.0.1:0",
                 f"--vercel_api_base_url={self.fake_url}", *flags],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, text=True,
                preexec_fn=cluster.end_with_parent,
                env={k: v for k, v in os.environ.items()
                     if not k.startswith(("VERCEL_", "KUBERNETES_"))})
            self._drainer = threading.Thread(target=self._drain, daemon=True)
            self._drainer.start()
            line = self.wait_for_log('"msg":"listening"', START_TIMEOUT_S)
            self.address = json.loads(line)["address"]
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for process in (self._server, self._fake):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=START_TIMEOUT_S)
        if self._drainer is not None:
            self._drainer.join(timeout=START_TIMEOUT_S)
        if self._server is not None:
            self._server.stderr.close()
        if self._fake is not None:
            self._fake.stdout.close()
        self._dir.cleanup()

    def _drain(self) -> None:
        for line in iter(self._server.stderr.readline, ""):
            with self._cond:
                self._lines.append(line.rstrip("\n"))
                self._cond.notify_all()
        with self._cond:
            self._lines.append("")  # The end of the log.
            self._cond.notify_all()

    def wait_for_log(self, needle: str, timeout: float) -> str:
        """The first log line containing `needle`, waiting up to `timeout`
        seconds for it."""
        def found():
            return next((line for line in self._lines if needle in line),
                        None)
        with self._cond:
            if not self._cond.wait_for(
                    lambda: found() is not None or
                    (self._lines and self._lines[-1] == "" and
                     self._server.poll() is not None), timeout):
                raise TimeoutError(f"no log line with {needle!r}")
            line = found()
            if line is None:
                raise RuntimeError(f"server ended without {needle!r}:\n" +
                                   "\n".join(self._lines[-20:]))
            return line

    def log(self) -> str:
        """Everything the server logged so far."""
        with self._cond:
            return "\n".join(self._lines)

    def call(self, method: str, workload_token: str | None,
             request: bytes = b"") -> grpc_call.Reply:
        """One call of `method`, with `workload_token` in x-workload-token
        when given, and no Vercel token of the caller's own."""
        metadata = ((WORKLOAD_TOKEN_KEY, workload_token),) \
            if workload_token is not None else ()
        return grpc_call.call(self.address, method, request, metadata)

    def control(self, path: str, body: dict | None = None) -> dict:
        """Calls a control endpoint of the fake; POST when `body` is given."""
        return harness.Stack.control(self, path, body)

    def vercel_requests(self) -> list[dict]:
        """What reached the fake Vercel API since the reset."""
        return self.control("/_fake/requests")["requests"]
