"""client/python against the real server and the fake, installed as a user
installs it: `pip install ./client/python` into a fresh virtualenv, which
resolves grpcio, protobuf and googleapis-common-protos from PyPI (pip's own
cache makes later runs quick). The same virtualenv gets mypy and the typing
packages pinned in scripts/deps/pip-typecheck.txt, to type-check a sample
program the way a user's CI would.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
import unittest

import client_example_checks
import harness

PACKAGE = harness.REPO / "client" / "python"
TYPED_SAMPLE = pathlib.Path(__file__).with_name("python_typed_sample.py")
INSTALL_TIMEOUT_S = 600
# Lists the tokens over TLS trusting the CA in $CA, checking the name $NAME
# when set, presenting $CERT and $KEY when set; prints the count, or the
# error's class when the handshake fails.
TLS_PROGRAM = (
    "import os, vercel_user_tokens as v\n"
    "tls = v.TlsOptions.from_files(ca_file=os.environ['CA'],"
    " cert_file=os.environ.get('CERT'), key_file=os.environ.get('KEY'),"
    " server_name=os.environ.get('NAME'))\n"
    "with v.Client(os.environ['VUT_ADDRESS'],"
    " token=os.environ['VERCEL_TOKEN'], tls=tls, deadline=5) as c:\n"
    "    try:\n"
    "        print(len(c.list_auth_tokens().tokens))\n"
    "    except v.Unavailable as error:\n"
    "        print(type(error).__name__)\n")
FORBIDDEN_BODY = json.dumps(
    {"error": {"code": "forbidden", "message": "Not authorized"}})


class PythonExampleTest(client_example_checks.ClientLayerChecks,
                        unittest.TestCase):
    LANGUAGE = "python"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # pip builds in the folder it installs from: use a copy.
        source = pathlib.Path(shutil.copytree(
            PACKAGE, f"{cls.work_dir}/python",
            ignore=shutil.ignore_patterns("__pycache__", "build",
                                          "*.egg-info")))
        venv = cls.work_dir / "venv"
        cls.python = str(venv / "bin" / "python")
        for argv in (
                [sys.executable, "-m", "venv", str(venv)],
                [cls.python, "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", str(source), "-r",
                 str(harness.REPO / "scripts" / "deps" / "pip-typecheck.txt")]):
            done = subprocess.run(argv, capture_output=True, text=True,
                                  timeout=INSTALL_TIMEOUT_S)
            if done.returncode != 0:
                raise AssertionError(f"{' '.join(argv)} failed:\n"
                                     + done.stdout + done.stderr)
        cls.example = source / "example" / "example.py"

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example([cls.python, str(cls.example)])

    def run_python(self, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run([self.python, *argv], capture_output=True,
                              text=True, timeout=harness.TIMEOUT_S,
                              cwd=self.work_dir)

    def test_installed_package_carries_the_version_and_licence(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        shown = self.run_python(
            "-c", "import importlib.metadata as m, vercel_user_tokens as v;"
            "d = m.metadata('vercel-user-tokens');"
            "print(m.version('vercel-user-tokens'), v.__version__,"
            " d['License-Expression'])")
        self.assertEqual(shown.stdout.split(), [version, version, "Apache-2.0"],
                         shown.stderr)

    def test_google_rpc_comes_from_googleapis_common_protos(self) -> None:
        shown = self.run_python(
            "-c", "import importlib.metadata as m;"
            "print(sorted({str(f).split('/')[0] for f in"
            " m.files('vercel-user-tokens') if '.dist-info' not in str(f)}));"
            "print(sorted(str(f) for f in m.files('googleapis-common-protos')"
            " if str(f).endswith('rpc/status_pb2.py')))")
        self.assertEqual(shown.stdout.splitlines(), [
            "['vercel', 'vercel_user_tokens']",
            "['google/rpc/status_pb2.py']"], shown.stderr)

    def test_typed_program_passes_mypy_and_a_typo_fails_it(self) -> None:
        checked = self.run_python("-m", "mypy", "--strict", str(TYPED_SAMPLE))
        self.assertEqual(checked.returncode, 0, checked.stdout)
        typo = self.work_dir / "typo.py"
        typo.write_text(
            "from vercel.authentication.v1 import user_tokens_pb2 as pb\n"
            "pb.CreateAuthTokenRequest(teamid='team_1', name='ci')\n")
        checked = self.run_python("-m", "mypy", "--strict", str(typo))
        self.assertEqual(checked.returncode, 1, checked.stdout)
        self.assertIn('Unexpected keyword argument "teamid"', checked.stdout)

    def test_tls_with_a_root_ca_and_a_server_name_override(self) -> None:
        # A certificate for harness.SERVER_NAME, which the address
        # (127.0.0.1) does not name: only server_name makes it verify.
        folder = self.work_dir / "tls"
        folder.mkdir()
        certificates = harness.make_certificates(folder)
        ca = {"CA": str(certificates["ca"])}
        with harness.Stack(harness.tls_flags(certificates)) as stack:
            named = stack.run_example([self.python, "-c", TLS_PROGRAM], env={
                **ca, "NAME": harness.SERVER_NAME})
            unnamed = stack.run_example([self.python, "-c", TLS_PROGRAM],
                                        env=ca)
        self.assertEqual((named.stdout, named.returncode), ("1\n", 0),
                         named.stderr)
        self.assertEqual(unnamed.stdout, "Unavailable\n", unnamed.stderr)

    def test_mutual_tls_with_a_client_certificate(self) -> None:
        # With --tls_client_ca_file the server refuses a handshake without a
        # client certificate that CA signed.
        folder = self.work_dir / "mtls"
        folder.mkdir()
        certificates = harness.make_certificates(folder)
        server_tls = {"CA": str(certificates["ca"]),
                      "NAME": harness.SERVER_NAME}
        with harness.Stack(harness.tls_flags(certificates,
                                             client_ca=True)) as stack:
            presented = stack.run_example(
                [self.python, "-c", TLS_PROGRAM],
                env={**server_tls, "CERT": str(certificates["client_cert"]),
                     "KEY": str(certificates["client_key"])})
            refused = stack.run_example([self.python, "-c", TLS_PROGRAM],
                                        env=server_tls)
            requests = stack.requests()
        self.assertEqual((presented.stdout, presented.returncode), ("1\n", 0),
                         presented.stderr)
        self.assertEqual(refused.stdout, "Unavailable\n", refused.stderr)
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
            result = stack.run_example([self.python, str(TYPED_SAMPLE)])
        self.assertEqual(result.returncode, 0, result.stderr)
        cases = {case.pop("case"): case
                 for case in map(json.loads, result.stdout.splitlines())}
        self.assertEqual(list(cases), [
            "not_found", "invalid_argument", "unauthenticated",
            "permission_denied", "rate_limited"])

        found = cases["not_found"]
        self.assertEqual(
            (found["type"], found["code"], found["reason"], found["domain"],
             found["http_status"], found["metadata"]["vercel_code"]),
            ("NotFound", "NOT_FOUND", "NOT_FOUND", "api.vercel.com", 404,
             "not_found"))
        self.assertEqual(found["rate_limit"]["x-ratelimit-limit"], "100")

        invalid = cases["invalid_argument"]
        self.assertEqual((invalid["type"], invalid["domain"]),
                         ("InvalidArgument", "vercel-user-tokens"))
        self.assertEqual([v[0] for v in invalid["field_violations"]],
                         ["token_id"])

        self.assertEqual(
            (cases["unauthenticated"]["type"],
             cases["unauthenticated"]["reason"]),
            ("Unauthenticated", "MISSING_CREDENTIALS"))
        self.assertEqual(
            (cases["permission_denied"]["type"],
             cases["permission_denied"]["http_status"]),
            ("PermissionDenied", 403))

        limited = cases["rate_limited"]
        self.assertEqual(
            (limited["type"], limited["code"], limited["retry_delay_s"]),
            ("RateLimited", "RESOURCE_EXHAUSTED", 30.0))
        self.assertIn("x-ratelimit-remaining", limited["rate_limit"])


if __name__ == "__main__":
    unittest.main()
