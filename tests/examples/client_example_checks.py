"""What every client/<lang>/example prints and sends, asserted once.

Every language's example does the same steps and prints the same lines (see
client/python/example/example.py). One that uses its language's client layer
also prints the token's prefix and reads with the client's retry on, so a 429
whose RetryInfo fits in the 10 s deadline is waited out (ClientLayerChecks),
while a longer one fails at once. A language's test subclasses
ClientLayerChecks (or ClientExampleChecks), sets LANGUAGE, prepares the
package in setUpClass (install or build, as a user would, in `work_dir`,
after calling the base setUpClass) and implements `run_example`; it inherits
the tests below. Standard library only.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import tempfile
import time

import harness

TOKEN_ID = re.compile(r"[0-9a-f]{64}")
# AuthToken.prefix as the fake sends it (a secret's first 8 characters), or
# nothing from a server that does not pass Vercel's prefix through.
SECRET_PREFIX = re.compile(r"(vcp_\S{4})?")
RATE_LIMITED_BODY = json.dumps(
    {"error": {"code": "rate_limited", "message": "Too many requests"}})


def failure_block(output: str, heading: str) -> list[str]:
    """Returns the indented lines printed under `heading`."""
    lines = output.splitlines()
    start = lines.index(heading) + 1
    block = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        block.append(line.strip())
    return block


class ClientExampleChecks:
    """Tests shared by the example tests; mix into a unittest.TestCase."""

    LANGUAGE = ""
    _happy_path: tuple[subprocess.CompletedProcess, list[dict]] | None = None

    @classmethod
    def setUpClass(cls) -> None:
        """Creates `work_dir`, a folder of the class's own, removed after
        its tests."""
        cls._work = tempfile.TemporaryDirectory(prefix=f"vut-{cls.LANGUAGE}-")
        cls.work_dir = pathlib.Path(cls._work.name)

    @classmethod
    def tearDownClass(cls) -> None:
        cls._work.cleanup()

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        """Runs the language's example against `stack`."""
        raise NotImplementedError

    def happy_path(self) -> tuple[str, list[dict]]:
        """Runs the example once per class against a fresh stack; returns
        what it printed and what reached the fake."""
        cls = type(self)
        if cls._happy_path is None:
            with harness.Stack() as stack:
                cls._happy_path = (cls.run_example(stack), stack.requests())
        result, requests = cls._happy_path
        self.assertEqual(result.returncode, 0,
                         f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result.stdout, requests

    def test_lists_creates_gets_and_deletes_a_token(self) -> None:
        output, requests = self.happy_path()
        name = f"example-{self.LANGUAGE}"
        lines = output.splitlines()
        self.assertEqual(lines[0], "listed 1 token(s): seed")
        created = re.fullmatch(rf"created token (\S+) named {name}", lines[1])
        self.assertIsNotNone(created, output)
        token_id = created.group(1)
        self.assertRegex(token_id, TOKEN_ID)
        # ClientLayerChecks asserts the prefix.
        self.assertRegex(lines[2],
                         rf"^got token {token_id} named {name}(, prefix |$)")
        self.assertEqual(lines[3], f"deleted token {token_id}")
        # The new token's secret is never printed, at most its prefix.
        self.assertLessEqual(output.count("vcp_"), 1, output)

        sent = [(r["method"], r["path"], r["raw_query"], r["body_json"])
                for r in requests]
        self.assertEqual(sent, [
            ("GET", "/v5/user/tokens", "", ""),
            ("POST", "/v3/user/tokens", f"teamId={harness.SEED_TEAM}",
             json.dumps({"name": name}, separators=(",", ":"))),
            ("GET", f"/v5/user/tokens/{token_id}", "", ""),
            ("DELETE", f"/v3/user/tokens/{token_id}", "", ""),
            # The deleted token, once more: NOT_FOUND. The malformed id
            # never leaves the server.
            ("GET", f"/v5/user/tokens/{token_id}", "", ""),
        ])
        for request in requests:
            self.assertEqual(request["headers"].get("authorization"),
                             f"Bearer {harness.SEED_SECRET}")

    def test_not_found_carries_error_info(self) -> None:
        output, _ = self.happy_path()
        self.assertEqual(
            failure_block(output, "getting the deleted token failed:"), [
                "code: NOT_FOUND (5)",
                "message: Vercel API error 404 (not_found): Token not found",
                "error_info: reason=NOT_FOUND domain=api.vercel.com",
                "error_info.metadata: http_status=404",
                "error_info.metadata: vercel_code=not_found",
                "retry_info: none",
            ])

    def test_invalid_argument_names_the_field(self) -> None:
        output, _ = self.happy_path()
        block = failure_block(output, 'getting token id "../x" failed:')
        self.assertEqual(block[0], "code: INVALID_ARGUMENT (3)")
        self.assertRegex(block[1], r"^message: token_id: .+")
        self.assertEqual(
            block[2:4], ["error_info: reason=INVALID_ARGUMENT "
                         "domain=vercel-user-tokens", "retry_info: none"])
        self.assertEqual(len(block), 5, block)
        self.assertRegex(block[4], r"^bad_request: token_id: .+")

    def test_rate_limit_shows_retry_delay_and_exits_1(self) -> None:
        with harness.Stack() as stack:
            # Longer than the server waits out by itself, on every attempt.
            stack.control("/_fake/faults", {
                "method": "GET", "path": "/v5/user/tokens", "times": 10,
                "status": 429, "headers": {"Retry-After": "30"},
                "body": RATE_LIMITED_BODY})
            result = self.run_example(stack)
            requests = stack.requests()
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(result.stdout, "")
        self.assertEqual(
            failure_block(result.stderr, "ListAuthTokens failed:"), [
                "code: RESOURCE_EXHAUSTED (8)",
                "message: Vercel API error 429 (rate_limited): "
                "Too many requests",
                "error_info: reason=RATE_LIMITED domain=api.vercel.com",
                "error_info.metadata: http_status=429",
                "error_info.metadata: vercel_code=rate_limited",
                "retry_info: retry after 30s",
            ])
        self.assertTrue(requests)
        self.assertEqual({r["method"] for r in requests}, {"GET"})


class ClientLayerChecks(ClientExampleChecks):
    """What an example that uses its language's client layer also shows: a
    field of today's AuthToken (prefix), and the client's retry of a read
    after the server's RetryInfo. Mix into a unittest.TestCase instead of
    ClientExampleChecks."""

    def test_get_shows_the_token_prefix(self) -> None:
        output, _ = self.happy_path()
        got = re.fullmatch(r"got token \S+ named \S+, prefix (\S*)",
                           output.splitlines()[2])
        self.assertIsNotNone(got, output)
        self.assertIsNotNone(SECRET_PREFIX.fullmatch(got.group(1)), output)

    def test_read_is_retried_after_the_servers_retry_delay(self) -> None:
        # The server passes the 429 on at once (no retries of its own), with
        # RetryInfo 1 s; the example's client waits that out and lists again.
        with harness.Stack(("--upstream_max_attempts=1",)) as stack:
            stack.control("/_fake/faults", {
                "method": "GET", "path": "/v5/user/tokens", "times": 1,
                "status": 429, "headers": {"Retry-After": "1"},
                "body": RATE_LIMITED_BODY})
            started = time.monotonic()
            result = self.run_example(stack)
            elapsed = time.monotonic() - started
            requests = stack.requests()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[0],
                         "listed 1 token(s): seed")
        self.assertEqual(
            [r["path"] for r in requests[:2]], ["/v5/user/tokens"] * 2)
        self.assertEqual(requests[2]["method"], "POST")
        self.assertGreaterEqual(elapsed, 1.0)
