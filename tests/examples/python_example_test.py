"""client/python against the real server and the fake, installed as a user
installs it: `pip install ./client/python` into a fresh virtualenv of the
newest Python (the upper end of the declared range), which resolves the
newest grpcio, protobuf and googleapis-common-protos from PyPI. The same
virtualenv gets mypy and the typing packages pinned in
scripts/deps/pip-typecheck.txt, to type-check the sample programs the way a
user's CI would. It runs the example, the scenario list of client/SPEC.md
(python_scenarios.py) and, in one more virtualenv, the lower end of the
range: the oldest declared Python with exactly the dependency floors of
pyproject.toml.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time
import unittest

import client_example_checks
import harness
import sdk_scenario_checks

PACKAGE = harness.REPO / "client" / "python"
TYPED_SAMPLE = pathlib.Path(__file__).with_name("python_typed_sample.py")
SCENARIOS = pathlib.Path(__file__).with_name("python_scenarios.py")
INSTALL_TIMEOUT_S = 600
# The Pythons of each end of the declared range come from pyenv, which the
# project's machines carry (PYENV_ROOT, else ~/.pyenv).
PYENV_VERSIONS = pathlib.Path(
    os.environ.get("PYENV_ROOT", pathlib.Path.home() / ".pyenv")) / "versions"
NEWEST_PYTHON = "3.13"
# Lists the tokens over plaintext and prints the versions it ran with.
SMOKE_PROGRAM = (
    "import os, sys, grpc, google.protobuf, vercel_user_tokens as v\n"
    "with v.Client(os.environ['VUT_ADDRESS'], plaintext=True,"
    " token=os.environ['VERCEL_TOKEN'], deadline=10) as c:\n"
    "    n = len(c.list_auth_tokens().tokens)\n"
    "print(n, '%d.%d' % sys.version_info[:2], grpc.__version__,"
    " google.protobuf.__version__)\n")
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


def install(venv: pathlib.Path, base_python: str, *requirements: str) -> str:
    """Makes a virtualenv with `requirements` from PyPI; returns its
    python."""
    python = str(venv / "bin" / "python")
    for argv in ([base_python, "-m", "venv", str(venv)],
                 [python, "-m", "pip", "install", "--quiet",
                  "--disable-pip-version-check", *requirements]):
        done = subprocess.run(argv, capture_output=True, text=True,
                              timeout=INSTALL_TIMEOUT_S)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed:\n"
                                 + done.stdout + done.stderr)
    return python


def pyenv_python(version: str) -> str:
    """The newest pyenv Python `version`.x."""
    found = sorted(PYENV_VERSIONS.glob(f"{version}.*"),
                   key=lambda p: [int(n) for n in p.name.split(".")])
    if not found:
        raise AssertionError(f"no Python {version} under {PYENV_VERSIONS}")
    return str(found[-1] / "bin" / "python3")


class PythonExampleTest(client_example_checks.ClientLayerChecks,
                        sdk_scenario_checks.SdkScenarioChecks,
                        unittest.TestCase):
    LANGUAGE = "python"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        started = time.monotonic()
        # pip builds in the folder it installs from: use a copy.
        source = pathlib.Path(shutil.copytree(
            PACKAGE, f"{cls.work_dir}/python",
            ignore=shutil.ignore_patterns("__pycache__", "build",
                                          "*.egg-info")))
        # The newest Python with the newest releases: the upper end of the
        # declared range, where every other test runs too.
        cls.python = install(
            cls.work_dir / "venv", pyenv_python(NEWEST_PYTHON), str(source),
            "-r", str(harness.REPO / "scripts" / "deps" / "pip-typecheck.txt"))
        cls.example = source / "example" / "example.py"
        cls.source = source
        print(f"python: installed in {time.monotonic() - started:.1f} s",
              file=sys.stderr)

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example([cls.python, str(cls.example)])

    def scenario_argv(self, name: str) -> list[str]:
        return [self.python, str(SCENARIOS), name]

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
        checked = self.run_python("-m", "mypy", "--strict", str(TYPED_SAMPLE),
                                  str(SCENARIOS))
        self.assertEqual(checked.returncode, 0, checked.stdout)
        typo = self.work_dir / "typo.py"
        typo.write_text(
            "from vercel.authentication.v1 import user_tokens_pb2 as pb\n"
            "pb.CreateAuthTokenRequest(teamid='team_1', name='ci')\n")
        checked = self.run_python("-m", "mypy", "--strict", str(typo))
        self.assertEqual(checked.returncode, 1, checked.stdout)
        self.assertIn('Unexpected keyword argument "teamid"', checked.stdout)

    def test_generated_stub_is_typed(self) -> None:
        # The service stub has a .pyi: a wrong request type fails mypy.
        wrong = self.work_dir / "wrong_request.py"
        wrong.write_text(
            "import grpc\n"
            "from vercel.authentication.v1 import user_tokens_pb2 as pb\n"
            "from vercel.authentication.v1 import user_tokens_pb2_grpc as g\n"
            "stub = g.UserTokensServiceStub(grpc.insecure_channel('x:1'))\n"
            "reply: pb.GetAuthTokenResponse = stub.GetAuthToken(\n"
            "    pb.ListAuthTokensRequest())\n")
        checked = self.run_python("-m", "mypy", "--strict", str(wrong))
        self.assertEqual(checked.returncode, 1, checked.stdout)
        self.assertIn('"ListAuthTokensRequest"', checked.stdout)
        self.assertNotIn("no-untyped-call", checked.stdout)

    def test_token_file_is_read_again_at_least_once_a_minute(self) -> None:
        # Rewritten in place with the same size and modification time (a
        # change stat cannot see): the next minute's read picks it up.
        token = self.work_dir / "token"
        token.write_text("aaaaaa\n")
        program = (
            "import os, sys, vercel_user_tokens as v\n"
            "path = sys.argv[1]\n"
            "now = [0.0]\n"
            "f = v.TokenFile(path, clock=lambda: now[0])\n"
            "print(f.read())\n"
            "st = os.stat(path)\n"
            "with open(path, 'w') as h: h.write('bbbbbb\\n')\n"
            "os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))\n"
            "now[0] = 59.0\n"
            "print(f.read())\n"
            "now[0] = 60.0\n"
            "print(f.read())\n")
        ran = self.run_python("-c", program, str(token))
        self.assertEqual(ran.stdout.split(), ["aaaaaa", "aaaaaa", "bbbbbb"],
                         ran.stderr)

    def test_scenario_asyncio(self) -> None:
        self.reset()
        cases = self.run_scenario("asyncio")
        self.assertEqual(cases["asyncio"],
                         {"tokens": 1, "pages": 1, "not_found": True})

    def test_declared_range_oldest_python_with_the_floors(self) -> None:
        pyproject = (PACKAGE / "pyproject.toml").read_text()
        oldest = re.search(r'requires-python = ">=(\d+\.\d+)"',
                           pyproject).group(1)
        dependencies = pyproject.split("dependencies = [", 1)[1].split("]")[0]
        floors = re.findall(r'"([a-z-]+)>=([\d.]+)', dependencies)
        self.assertEqual([name for name, _ in floors],
                         ["grpcio", "protobuf", "googleapis-common-protos"])
        python = install(self.work_dir / "oldest", pyenv_python(oldest),
                         str(self.source),
                         *(f"{name}=={floor}" for name, floor in floors))
        self.assert_smoke(python, oldest, floors[0][1], floors[1][1])

    def test_declared_range_newest_python_with_the_newest_releases(
            self) -> None:
        # setUpClass installed the package on the newest Python.
        self.assert_smoke(self.python, NEWEST_PYTHON)

    def assert_smoke(self, python: str, version: str, grpc_version: str = "",
                     protobuf_version: str = "") -> None:
        with harness.Stack() as stack:
            # -W error: a gencode/runtime version warning fails too.
            ran = stack.run_example([python, "-W", "error", "-c",
                                     SMOKE_PROGRAM], cwd=self.work_dir)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        count, ran_version, grpc_ran, protobuf_ran = ran.stdout.split()
        self.assertEqual((count, ran_version), ("1", version))
        if grpc_version:
            self.assertEqual((grpc_ran, protobuf_ran),
                             (grpc_version, protobuf_version))

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
        self.assertEqual(found["rate_limit"]["limit"], 100)

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
        self.assertIsInstance(limited["rate_limit"]["remaining"], int)


if __name__ == "__main__":
    unittest.main()
