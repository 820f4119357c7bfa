"""What the Node.js, Java and Ruby client layers do, asserted once.

Each of those languages' tests mixes LayerChecks in, names its error class
of each of FAMILIES in ERROR_CLASSES (family "other": the class of the codes
no family has; "unavailable", optional, the class of UNAVAILABLE when it has
one) and implements `run_probe(stack, scenario)`: a small program
using the installed package's client layer, with the token from VERCEL_TOKEN
(none in scenario "unauthenticated"), a 10 s default deadline and retries on.
Scenario "list" lists the tokens and prints `listed=<count>`; so does "tls",
over TLS trusting only the CA in the PEM file VUT_ROOT_CA, checking the
server's certificate for the name VUT_SERVER_NAME and, when VUT_CLIENT_CERT
and VUT_CLIENT_KEY name PEM files, presenting that client certificate and
key (mutual TLS). The others get token "missing" ("../x" in "invalid"). A
failed call prints, one `key=value` a line: class (the error class's own
name), code, reason, http_status, retry_delay_ms (empty without RetryInfo),
field (one line per field violation) and ratelimit_limit
(x-ratelimit-limit, or empty). Standard library only.
"""

from __future__ import annotations

import pathlib
import subprocess
import tempfile

import client_example_checks
import harness

FAMILIES = ("rate_limited", "not_found", "invalid_argument",
            "unauthenticated", "permission_denied", "other")
MISSING_PATH = "/v5/user/tokens/missing"


def parse(result: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """Returns each key the probe printed with its values, in order."""
    if result.returncode != 0:
        raise AssertionError(
            f"probe failed:\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    values: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition("=")
        values.setdefault(key, []).append(value)
    return values


class LayerChecks:
    """Tests of a client layer; mix into a unittest.TestCase."""

    ERROR_CLASSES: dict[str, str] = {}

    @classmethod
    def run_probe(cls, stack: harness.Stack, scenario: str,
                  env: dict[str, str] | None = None
                  ) -> subprocess.CompletedProcess:
        """Runs the language's probe program against `stack`, with `env`
        added to its environment."""
        raise NotImplementedError

    def probe(self, scenario: str,
              fault: dict | None = None) -> tuple[dict, list[dict]]:
        with harness.Stack() as stack:
            if fault:
                stack.control("/_fake/faults", fault)
            values = parse(self.run_probe(stack, scenario))
            return values, stack.requests()

    def assert_error(self, values: dict, family: str, code: str,
                     reason: str, http_status: str = "") -> None:
        self.assertEqual(values["class"], [self.ERROR_CLASSES[family]])
        self.assertEqual(values["code"], [code])
        self.assertEqual(values["reason"], [reason])
        self.assertEqual(values["http_status"], [http_status])

    def test_not_found_is_its_own_error_class(self) -> None:
        values, _ = self.probe("missing")
        self.assert_error(values, "not_found", "NOT_FOUND", "NOT_FOUND", "404")
        self.assertEqual(values["retry_delay_ms"], [""])

    def test_invalid_argument_names_its_fields(self) -> None:
        values, requests = self.probe("invalid")
        self.assert_error(values, "invalid_argument", "INVALID_ARGUMENT",
                          "INVALID_ARGUMENT")
        self.assertEqual(values["field"], ["token_id"])
        self.assertEqual(requests, [])

    def test_a_call_without_token_is_unauthenticated(self) -> None:
        values, requests = self.probe("unauthenticated")
        self.assert_error(values, "unauthenticated", "UNAUTHENTICATED",
                          "MISSING_CREDENTIALS")
        self.assertEqual(requests, [])

    def test_forbidden_is_permission_denied(self) -> None:
        values, _ = self.probe("missing", {
            "method": "GET", "path": MISSING_PATH, "status": 403,
            "body": '{"error": {"code": "forbidden", "message": "No"}}'})
        self.assert_error(values, "permission_denied", "PERMISSION_DENIED",
                          "FORBIDDEN", "403")

    def test_rate_limit_longer_than_the_deadline_fails_at_once(self) -> None:
        values, requests = self.probe("missing", {
            "method": "GET", "path": MISSING_PATH, "times": 10,
            "status": 429, "headers": {"Retry-After": "30"},
            "body": client_example_checks.RATE_LIMITED_BODY})
        self.assert_error(values, "rate_limited", "RESOURCE_EXHAUSTED",
                          "RATE_LIMITED", "429")
        self.assertEqual(values["retry_delay_ms"], ["30000"])
        # Vercel's X-RateLimit-Limit, passed on as metadata.
        self.assertEqual(values["ratelimit_limit"], ["100"])
        # Neither the server nor the client waits 30 s within a 10 s
        # deadline: one request reached Vercel.
        self.assertEqual(len(requests), 1)

    def test_read_is_retried_after_the_retry_info_delay(self) -> None:
        # The server itself makes 3 attempts (--upstream_max_attempts'
        # default), each answered 429 with Retry-After 1 s, then passes the
        # 429 on with RetryInfo 1 s; the client waits that out, and its
        # second attempt succeeds.
        values, requests = self.probe("list", {
            "method": "GET", "path": "/v6/user/tokens", "times": 3,
            "status": 429, "headers": {"Retry-After": "1"},
            "body": client_example_checks.RATE_LIMITED_BODY})
        self.assertEqual(values, {"listed": ["1"]})
        self.assertEqual([r["path"] for r in requests],
                         ["/v6/user/tokens"] * 4)

    def test_tls_with_a_root_ca_and_a_server_name_override(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            certificates = harness.make_certificates(pathlib.Path(folder))
            with harness.Stack(harness.tls_flags(certificates)) as stack:
                values = parse(self.run_probe(stack, "tls", {
                    "VUT_ROOT_CA": str(certificates["ca"]),
                    "VUT_SERVER_NAME": harness.SERVER_NAME}))
        self.assertEqual(values, {"listed": ["1"]})

    def test_mutual_tls_presents_the_client_certificate(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            certificates = harness.make_certificates(pathlib.Path(folder))
            server_tls = {"VUT_ROOT_CA": str(certificates["ca"]),
                          "VUT_SERVER_NAME": harness.SERVER_NAME}
            # With --tls_client_ca_file the server refuses a handshake
            # without a client certificate that CA signed.
            with harness.Stack(harness.tls_flags(certificates,
                                                 client_ca=True)) as stack:
                presented = parse(self.run_probe(stack, "tls", {
                    **server_tls,
                    "VUT_CLIENT_CERT": str(certificates["client_cert"]),
                    "VUT_CLIENT_KEY": str(certificates["client_key"])}))
                refused = parse(self.run_probe(stack, "tls", server_tls))
                requests = stack.requests()
        self.assertEqual(presented, {"listed": ["1"]})
        self.assertEqual(refused["class"], [self.ERROR_CLASSES.get(
            "unavailable", self.ERROR_CLASSES["other"])])
        self.assertEqual(refused["code"], ["UNAVAILABLE"])
        # Only the call with the certificate reached Vercel.
        self.assertEqual(len(requests), 1)
