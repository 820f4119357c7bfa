"""client/go against the real server and the fake, used as a user uses it.

The machine's current Go (scripts/tools/go.sh) checks the module as
published (`go mod verify` of the committed go.sum, `go vet`), builds its
example, and builds a user's programs (go_typed_sample/, and its
scenarios/ of client/SPEC.md's scenario list) in a module of its own that
requires client/go at VERSION, replaced by a local copy. Modules come from
the Go module proxy into Go's own cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unittest

import client_example_checks
import harness
import sdk_scenario_checks

MODULE = harness.REPO / "client" / "go"
SAMPLE = harness.REPO / "tests" / "examples" / "go_typed_sample"
FORBIDDEN_BODY = json.dumps(
    {"error": {"code": "forbidden", "message": "Not authorized"}})
# A cold build compiles grpc-go from source.
BUILD_TIMEOUT_S = 600


def go_mod_directive(name: str) -> str:
    """The argument of client/go/go.mod's `name` directive."""
    for line in (MODULE / "go.mod").read_text().splitlines():
        if line.startswith(name + " "):
            return line.split()[1]
    raise AssertionError(f"client/go/go.mod has no {name} directive")


def module_path() -> str:
    """The module path that client/go/go.mod declares."""
    return go_mod_directive("module")


class GoExampleTest(client_example_checks.ClientLayerChecks,
                    sdk_scenario_checks.SdkScenarioChecks,
                    unittest.TestCase):
    LANGUAGE = "go"

    @classmethod
    def go(cls, *argv: str, cwd: os.PathLike) -> str:
        done = subprocess.run([cls.go_binary, *argv], cwd=cwd, env=cls.env,
                              text=True, capture_output=True,
                              timeout=BUILD_TIMEOUT_S)
        if done.returncode != 0:
            raise AssertionError(f"go {' '.join(argv)} failed:\n"
                                 + done.stdout + done.stderr)
        return done.stdout

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.go_binary = subprocess.run(
            [str(harness.REPO / "scripts" / "tools" / "go.sh")],
            capture_output=True, text=True, check=True).stdout.strip()
        cls.env = dict(os.environ, GOFLAGS="-mod=readonly", GOTOOLCHAIN="local")
        module = shutil.copytree(MODULE, cls.work_dir / "client-go")
        cls.binary = str(cls.work_dir / "example")
        cls.go("mod", "verify", cwd=module)
        cls.go("vet", "./...", cwd=module)
        cls.unit_tests = cls.go("test", "./usertokens/", cwd=module)
        cls.go("build", "-o", cls.binary, "./example", cwd=module)

        user = shutil.copytree(SAMPLE, cls.work_dir / "user")
        version = (harness.REPO / "VERSION").read_text().strip()
        # Without a go directive Go reads the module as pre-1.17 and tidy
        # loads the whole module graph: ten minutes on an empty module cache
        # instead of five seconds.
        (user / "go.mod").write_text(
            "module example.com/user\n\n"
            f"go {go_mod_directive('go')}\n\n"
            f"require {module_path()} v{version}\n\n"
            f"replace {module_path()} => {module}\n")
        cls.env["GOFLAGS"] = "-mod=mod"
        cls.go("mod", "tidy", cwd=user)
        cls.user_go_mod = (user / "go.mod").read_text()
        cls.sample = str(cls.work_dir / "sample")
        cls.go("build", "-o", cls.sample, ".", cwd=user)
        cls.scenarios = str(cls.work_dir / "scenarios")
        cls.go("build", "-o", cls.scenarios, "./scenarios", cwd=user)
        cls.go("vet", "./...", cwd=user)

    def scenario_argv(self, name: str) -> list[str]:
        return [self.scenarios, name]

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example([cls.binary])

    def test_go_package_is_in_the_module(self) -> None:
        # Protos that import ours get Go imports from this option.
        proto = (harness.REPO / "proto" / "vercel" / "authentication" / "v1"
                 / "user_tokens.proto").read_text()
        self.assertIn(
            f'option go_package = "{module_path()}/vercel/authentication/v1'
            ';authenticationv1";', proto)

    def test_consumer_module_declares_the_package_go_version(self) -> None:
        # A consumer module without it makes `go mod tidy` on a fresh
        # machine take minutes (a pre-1.17 module graph).
        self.assertRegex(self.user_go_mod,
                         rf"(?m)^go {re.escape(go_mod_directive('go'))}$")

    def test_unit_tests_of_the_client_pass(self) -> None:
        # usertokens' own tests (token files, request ids); go test failing
        # fails setUpClass.
        self.assertRegex(self.unit_tests, r"(?m)^ok\s+\S+/usertokens\b")

    def test_readme_names_the_tag_and_version_of_this_release(self) -> None:
        # A subfolder module's release is tag client/go/vX.Y.Z; a clone is
        # used by requiring VERSION with a replace (as setUpClass does).
        version = (harness.REPO / "VERSION").read_text().strip()
        readme = (MODULE / "README.md").read_text()
        self.assertIn(f"tag `client/go/v{version}`", readme)
        self.assertIn(f"-require={module_path()}@v{version}", readme)
        self.assertIn(f"-replace={module_path()}=", readme)

    def test_module_requires_current_grpc_and_genproto_rpc(self) -> None:
        go_mod = (MODULE / "go.mod").read_text()
        self.assertRegex(go_mod, r"google\.golang\.org/grpc v1\.(6[4-9]|[7-9]\d)\.")
        self.assertIn("google.golang.org/genproto/googleapis/rpc ", go_mod)
        # The monolithic genproto module clashes with googleapis/rpc
        # ("ambiguous import ... errdetails").
        self.assertNotRegex(go_mod, r"google\.golang\.org/genproto v")

    def test_tls_with_a_root_ca_and_a_server_name_override(self) -> None:
        # A certificate for harness.SERVER_NAME, which the address
        # (127.0.0.1) does not name: only ServerName makes it verify.
        folder = self.work_dir / "tls"
        folder.mkdir()
        certificates = harness.make_certificates(folder)
        ca = {"VUT_TLS_CA": str(certificates["ca"])}
        with harness.Stack(harness.tls_flags(certificates)) as stack:
            named = stack.run_example([self.sample], env={
                **ca, "VUT_TLS_NAME": harness.SERVER_NAME})
            unnamed = stack.run_example([self.sample], env=ca)
        self.assertEqual((named.stdout, named.returncode), ("1\n", 0),
                         named.stderr)
        self.assertEqual(unnamed.stdout, "UnavailableError\n", unnamed.stderr)

    def test_mutual_tls_with_a_client_certificate(self) -> None:
        # With --tls_client_ca_file the server refuses a handshake without a
        # client certificate that CA signed.
        folder = self.work_dir / "mtls"
        folder.mkdir()
        certificates = harness.make_certificates(folder)
        server_tls = {"VUT_TLS_CA": str(certificates["ca"]),
                      "VUT_TLS_NAME": harness.SERVER_NAME}
        with harness.Stack(harness.tls_flags(certificates,
                                             client_ca=True)) as stack:
            presented = stack.run_example([self.sample], env={
                **server_tls, "VUT_TLS_CERT": str(certificates["client_cert"]),
                "VUT_TLS_KEY": str(certificates["client_key"])})
            refused = stack.run_example([self.sample], env=server_tls)
            requests = stack.requests()
        self.assertEqual((presented.stdout, presented.returncode), ("1\n", 0),
                         presented.stderr)
        self.assertEqual(refused.stdout, "UnavailableError\n", refused.stderr)
        # Only the call with the certificate reached Vercel.
        self.assertEqual(len(requests), 1)

    def test_errors_are_typed_and_carry_their_details(self) -> None:
        with harness.Stack() as stack:
            stack.control("/_fake/faults", {
                "method": "GET", "path": "/v5/user/tokens/forbidden",
                "status": 403, "body": FORBIDDEN_BODY})
            stack.control("/_fake/faults", {
                "method": "GET", "path": "/v6/user/tokens", "status": 429,
                "headers": {"Retry-After": "30"},
                "body": client_example_checks.RATE_LIMITED_BODY})
            result = stack.run_example([self.sample])
        self.assertEqual(result.returncode, 0, result.stderr)
        cases = {case.pop("case"): case
                 for case in map(json.loads, result.stdout.splitlines())}
        self.assertEqual(list(cases), [
            "not_found", "invalid_argument", "unauthenticated",
            "permission_denied", "rate_limited"])
        found = cases["not_found"]
        self.assertEqual(
            (found["type"], found["reason"], found["domain"],
             found["http_status"], found["metadata"]["vercel_code"]),
            ("NotFoundError", "NOT_FOUND", "api.vercel.com", 404, "not_found"))
        self.assertEqual(found["rate_limit"]["Limit"], 100)
        invalid = cases["invalid_argument"]
        self.assertEqual(
            (invalid["type"], invalid["domain"], invalid["fields"]),
            ("InvalidArgumentError", "vercel-user-tokens", "token_id"))
        self.assertEqual(
            (cases["unauthenticated"]["type"],
             cases["unauthenticated"]["reason"]),
            ("UnauthenticatedError", "MISSING_CREDENTIALS"))
        self.assertEqual(
            (cases["permission_denied"]["type"],
             cases["permission_denied"]["http_status"]),
            ("PermissionDeniedError", 403))
        limited = cases["rate_limited"]
        self.assertEqual(
            (limited["type"], limited["has_retry_delay"],
             limited["retry_delay_s"]), ("RateLimitedError", True, 30))
        self.assertIsInstance(limited["rate_limit"]["Remaining"], int)


if __name__ == "__main__":
    unittest.main()
