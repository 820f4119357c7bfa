"""The scenario list of client/SPEC.md (section 9), asserted once for every
language.

A language's test mixes SdkScenarioChecks into its unittest.TestCase, sets
LANGUAGE and implements `scenario_argv(name)`: the command that runs its
scenario program with the scenario's name as the last argument. The program
talks to the server at $VUT_ADDRESS (plaintext, asked for explicitly),
with $VERCEL_TOKEN, and prints one JSON object a line, each with a "case";
the tests here set the fake Vercel API up for the scenario, run the program
and assert what it printed, what reached the fake and what the server
audited. One stack (server flag --upstream_max_attempts=1, so only the
client retries) serves all of a class's scenarios; the fake is reset before
each. Standard library only.

The JSON a program prints for a caught error ("an error line") is:
  {"case": ..., "family": the error's class name, "code": "NOT_FOUND",
   "reason": ..., "domain": ..., "http_status": int or null,
   "retry_delay_ms": int or null, "field_violations": [field, ...],
   "vercel_request_id": ..., "rate_limit_remaining": int or null}
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import subprocess
import tempfile
import time
from typing import Any

import client_example_checks
import harness

OWN_REQUEST_ID = "0b9e7c1a-3f52-4d8e-9a6b-2c4d5e6f7a8b"
# The base error of each language: a code without a family.
BASE_NAMES = {"ServiceError", "UserTokensError", "UserTokensException",
              "Error", "ErrorDetails"}
# The family of each gRPC code (client/SPEC.md, section 1); "base" for the
# codes the server never returns.
FAMILIES = {
    1: "Cancelled", 2: "Unknown", 3: "InvalidArgument",
    4: "DeadlineExceeded", 5: "NotFound", 6: "AlreadyExists",
    7: "PermissionDenied", 8: "RateLimited", 9: "FailedPrecondition",
    10: "base", 11: "base", 12: "Unimplemented", 13: "Internal",
    14: "Unavailable", 15: "base", 16: "Unauthenticated",
}
# Vercel's answer for each error case of the "errors" scenario, on
# GET /v5/user/tokens/<case>: (status, extra headers).
UPSTREAM_ERRORS = {
    "forbidden": (403, {}),
    "limited": (429, {"Retry-After": "30"}),
    "unavailable": (503, {"Retry-After": "2"}),
    "internal": (500, {}),
    "unimplemented": (501, {}),
    "timeout": (504, {}),
    "teapot": (418, {}),
    "conflict": (409, {}),
}
SCENARIO_TIMEOUT_S = 60


def family(name: str) -> str:
    """A language's error class name as the spec names its family."""
    name = name.lstrip("*").rsplit(".", 1)[-1]
    if name in BASE_NAMES:
        return "base"
    for suffix in ("Exception", "Error"):
        if name.endswith(suffix) and name != suffix:
            return name[:-len(suffix)]
    return name


class SdkScenarioChecks:
    """Tests of the scenario list; mix into a unittest.TestCase."""

    LANGUAGE = ""
    _stack: harness.Stack | None = None

    def scenario_argv(self, name: str) -> list[str]:
        """The command that runs the language's scenario program."""
        raise NotImplementedError

    @classmethod
    def scenario_stack(cls) -> harness.Stack:
        if cls._stack is None:
            stack = harness.Stack(("--upstream_max_attempts=1",))
            cls._stack = stack.__enter__()
            cls.addClassCleanup(stack.__exit__, None, None, None)
        return cls._stack

    def reset(self, tokens: list[dict] | None = None) -> harness.Stack:
        stack = self.scenario_stack()
        stack.control("/_fake/reset", {"tokens": tokens or [
            {"name": "seed", "bearerToken": harness.SEED_SECRET,
             "teamId": harness.SEED_TEAM}]})
        return stack

    def fault(self, path: str, status: int | None = None,
              headers: dict[str, str] | None = None, times: int = 1,
              method: str = "GET", hold: bool = False) -> None:
        body: dict[str, Any] = {"method": method, "path": path,
                                "times": times}
        if status is not None:
            body.update(status=status, headers=headers or {}, body=json.dumps(
                {"error": {"code": f"http_{status}",
                           "message": f"Injected {status}"}}))
        if hold:
            body["hold"] = True
        self.scenario_stack().control("/_fake/faults", body)

    def run_scenario(self, name: str, env: dict[str, str] | None = None
                     ) -> dict[str, dict]:
        """Runs the scenario program; returns its lines by case."""
        result = self.scenario_stack().run_example(
            self.scenario_argv(name), env=env)
        self.assertEqual(result.returncode, 0,
                         f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        cases: dict[str, dict] = {}
        for line in result.stdout.splitlines():
            entry = json.loads(line)
            cases[entry.pop("case")] = entry
        return cases

    def upstream(self, path: str) -> list[dict]:
        return [r for r in self.scenario_stack().requests()
                if r["path"] == path]

    # 1. errors
    def test_scenario_errors(self) -> None:
        self.reset()
        for case, (status, headers) in UPSTREAM_ERRORS.items():
            self.fault(f"/v5/user/tokens/{case}", status, headers)
        cases = self.run_scenario("errors")

        def expect(case: str, name: str, code: str, reason: str | None,
                   http_status: int | None) -> dict:
            got = cases[case]
            self.assertEqual(
                (family(got["family"]), got["code"], got["http_status"]),
                (name, code, http_status), got)
            if reason is not None:
                self.assertEqual(got["reason"], reason, got)
            if http_status is not None:
                self.assertEqual(got["domain"], "api.vercel.com", got)
                # Vercel's request id, on every error that reached Vercel.
                self.assertRegex(got["vercel_request_id"], r"\S+", got)
                self.assertIsInstance(got["rate_limit_remaining"], int, got)
            return got

        expect("not_found", "NotFound", "NOT_FOUND", "NOT_FOUND", 404)
        invalid = expect("invalid_argument", "InvalidArgument",
                         "INVALID_ARGUMENT", "INVALID_ARGUMENT", None)
        self.assertEqual(invalid["field_violations"], ["token_id"])
        self.assertEqual(invalid["vercel_request_id"], "")
        expect("unauthenticated", "Unauthenticated", "UNAUTHENTICATED",
               "MISSING_CREDENTIALS", None)
        expect("permission_denied", "PermissionDenied", "PERMISSION_DENIED",
               None, 403)
        limited = expect("rate_limited", "RateLimited", "RESOURCE_EXHAUSTED",
                         None, 429)
        self.assertEqual(limited["retry_delay_ms"], 30000)
        unavailable = expect("unavailable", "Unavailable", "UNAVAILABLE",
                             None, 503)
        self.assertEqual(unavailable["retry_delay_ms"], 2000)
        expect("internal", "Internal", "INTERNAL", None, 500)
        expect("unimplemented", "Unimplemented", "UNIMPLEMENTED", None, 501)
        expect("deadline_exceeded", "DeadlineExceeded", "DEADLINE_EXCEEDED",
               None, 504)
        expect("failed_precondition", "FailedPrecondition",
               "FAILED_PRECONDITION", None, 418)
        expect("already_exists", "AlreadyExists", "ALREADY_EXISTS", None, 409)
        self.assertEqual(
            {int(code): family(name)
             for code, name in cases["families"]["families"].items()},
            FAMILIES)

    # 2. tls-default
    def test_scenario_tls_default(self) -> None:
        self.reset()
        cases = self.run_scenario("tls_default")
        # A client that did not ask for plaintext speaks TLS, which the
        # plaintext server cannot answer.
        self.assertEqual(family(cases["tls_default"]["family"]),
                         "Unavailable", cases)
        self.assertEqual(cases["plaintext"]["tokens"], 1)
        self.assertEqual(cases["default_deadline"]["seconds"], 30)
        self.assertEqual(len(self.upstream("/v6/user/tokens")), 1)

    # 3. retries
    def test_scenario_retries(self) -> None:
        self.reset()
        self.fault("/v6/user/tokens", 503, {"Retry-After": "1"}, times=2)
        self.fault("/v5/user/tokens/limited", 429, {"Retry-After": "30"},
                   times=5)
        cases = self.run_scenario("retries")
        # Off by default: the first 503 ends the call.
        self.assertEqual(family(cases["retries_off"]["family"]),
                         "Unavailable")
        # On: waited out the RetryInfo (1 s), then listed.
        self.assertEqual(cases["retries_on"]["tokens"], 1)
        self.assertGreaterEqual(cases["retries_on"]["elapsed_ms"], 1000)
        self.assertEqual(len(self.upstream("/v6/user/tokens")), 3)
        # A RetryInfo past the deadline (5 s) is not waited.
        beyond = cases["retry_beyond_deadline"]
        self.assertEqual(family(beyond["family"]), "RateLimited")
        self.assertLess(beyond["elapsed_ms"], 5000)
        self.assertEqual(len(self.upstream("/v5/user/tokens/limited")), 1)

    # 4. per-call
    def test_scenario_per_call(self) -> None:
        stack = self.reset()
        self.fault("/v5/user/tokens/held", hold=True, times=2)
        cases = self.run_scenario("per_call")
        # Per-call metadata: a client without a token, the token per call.
        self.assertEqual(cases["per_call_metadata"]["tokens"], 1)
        self.assertEqual(
            [r["headers"].get("authorization")
             for r in self.upstream("/v6/user/tokens")],
            [f"Bearer {harness.SEED_SECRET}"])
        # A per-call deadline of 1 s, well before the client's 30 s.
        deadline = cases["per_call_deadline"]
        self.assertEqual(family(deadline["family"]), "DeadlineExceeded")
        self.assertLess(deadline["elapsed_ms"], 10000)
        # Cancelled by the caller (ctx, AbortSignal, asyncio, future, Ruby
        # Cancellation, C++ CancellationToken).
        self.assertEqual(family(cases["cancelled"]["family"]), "Cancelled")
        # The server abandoned both upstream requests.
        aborted = stack.control(
            "/_fake/wait_aborted?count=2&timeout_ms=10000")
        self.assertEqual(aborted["count"], 2)

    # 5. success-metadata
    def test_scenario_success_metadata(self) -> None:
        self.reset()
        cases = self.run_scenario("success_metadata")
        got = cases["success_metadata"]
        self.assertRegex(got["vercel_request_id"], r"^\S+$")
        self.assertIsInstance(got["rate_limit_remaining"], int)
        self.assertGreater(got["rate_limit_reset"], time.time() - 3600)

    # 6. pager
    def test_scenario_pager(self) -> None:
        self.reset([{"name": f"page-{i}",
                     "bearerToken": (harness.SEED_SECRET if i == 0
                                     else f"secret-{i}"),
                     "teamId": harness.SEED_TEAM} for i in range(5)])
        cases = self.run_scenario("pager")
        pages = cases["pager"]["pages"]
        self.assertEqual([len(page) for page in pages], [2, 2, 1])
        self.assertEqual(sorted(sum(pages, [])),
                         [f"page-{i}" for i in range(5)])
        queries = [r["raw_query"] for r in self.upstream("/v5/user/tokens")]
        self.assertEqual(len(queries), 3)
        self.assertEqual(queries[0], "limit=2")
        for query in queries[1:]:
            self.assertRegex(query, r"^limit=2&until=\d+$")

    # 7. request-id
    def test_scenario_request_id(self) -> None:
        stack = self.reset()
        self.fault("/v3/user/tokens", 503, {"Retry-After": "1"},
                   method="POST")
        cases = self.run_scenario("request_id",
                                  {"OWN_REQUEST_ID": OWN_REQUEST_ID})
        self.assertRegex(cases["request_id"]["token_id"],
                         client_example_checks.TOKEN_ID)
        # The caller's message was not changed.
        self.assertEqual(cases["request_id"]["request_id_after"], "")
        audits = stack.server_log(3, lambda entry: (
            entry.get("log") == "audit"
            and entry.get("rpc") == "CreateAuthToken"
            and entry.get("token_name", "").startswith("request-id-")))
        # The audit line carries the request_id only as its SHA-256.
        ids = [entry["request_id_sha256"] for entry in audits]
        self.assertEqual(len(ids), 3, audits)
        self.assertRegex(ids[0], r"^[0-9a-f]{64}$")
        self.assertEqual(ids[1], ids[0])
        self.assertEqual(
            ids[2], hashlib.sha256(OWN_REQUEST_ID.encode()).hexdigest())
        self.assertNotEqual(ids[0], ids[2])
        self.assertEqual(len(self.upstream("/v3/user/tokens")), 3)

    # 8. credential-provider
    def test_scenario_credential_provider(self) -> None:
        self.reset()
        with tempfile.TemporaryDirectory() as folder:
            token_file = pathlib.Path(folder) / "token"
            token_file.write_text(harness.SEED_SECRET + "\n")
            cases = self.run_scenario("credential_provider",
                                      {"TOKEN_FILE": str(token_file)})
        got = cases["credential_provider"]
        seed_id, created_id = got["seed_id"], got["created_id"]
        self.assertNotEqual(seed_id, created_id)
        # The provider's token changed between calls: Vercel saw the new one.
        self.assertEqual(got["provider_ids"], [seed_id, created_id])
        # The token file was replaced between calls.
        self.assertEqual(got["file_ids"], [seed_id, created_id])
        # A token file that cannot be read fails the call before sending.
        unreadable = cases["credentials_unavailable"]
        self.assertEqual(
            (family(unreadable["family"]), unreadable["code"],
             unreadable["reason"], unreadable["domain"]),
            ("Unauthenticated", "UNAUTHENTICATED", "CREDENTIALS_UNAVAILABLE",
             "vercel-user-tokens-client"))
        self.assertEqual(
            [r["path"] for r in self.scenario_stack().requests()
             if r["path"] == "/v5/user/tokens/unsent"], [])

    # 9. workload-token
    def test_scenario_workload_token(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            cases = self.run_scenario("workload_token", {"WORK_DIR": folder})
        self.assertEqual(cases["workload_token"]["seen"],
                         ["workload-one", "workload-one", "workload-two"])
