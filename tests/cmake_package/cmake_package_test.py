"""The installed C++ package works for a project outside this repository.

Installs the build (`cmake --install BUILD --prefix TMP`), then configures
and builds tests/cmake_package/consumer against it with
find_package(VercelUserTokens CONFIG REQUIRED), and runs the consumer
against the real server and the fake Vercel API.

Environment (set by CTest): VUT_BUILD_DIR (the build to install), VUT_CMAKE
(the cmake to use), VUT_SERVER_PATH (the server, for the harness).
"""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "examples"))

import harness  # noqa: E402

BUILD_TIMEOUT_S = 600


def run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT_S)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n"
                             + done.stdout + done.stderr)


class CMakePackageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cmake = os.environ.get("VUT_CMAKE", "cmake")
        build = os.environ.get("VUT_BUILD_DIR", str(harness.REPO / "build"))
        cls._dir = tempfile.TemporaryDirectory(prefix="vut-package-")
        cls.prefix = pathlib.Path(cls._dir.name) / "prefix"
        consumer_build = pathlib.Path(cls._dir.name) / "consumer"
        run([cmake, "--install", build, "--prefix", str(cls.prefix)])
        minor = ".".join(
            (harness.REPO / "VERSION").read_text().strip().split(".")[:2])
        run([cmake, "-S", str(HERE / "consumer"), "-B", str(consumer_build),
             f"-DCMAKE_PREFIX_PATH={cls.prefix}",
             f"-DVUT_REQUIRED_VERSION={minor}"])
        run([cmake, "--build", str(consumer_build)])
        cls.consumer = consumer_build / "consumer"

    @classmethod
    def tearDownClass(cls) -> None:
        cls._dir.cleanup()

    def test_installs_headers_and_package_files(self) -> None:
        include = self.prefix / "include"
        for header in ("vercel/authentication/v1/user_tokens.pb.h",
                       "vercel/authentication/v1/user_tokens.grpc.pb.h",
                       "vercel/authentication/v1/user_tokens.proto",
                       "vercel_user_tokens/user_tokens_client.h",
                       "vercel_user_tokens/token_file.h",
                       "vercel_user_tokens/health_check.h"):
            self.assertTrue((include / header).is_file(), header)
        configs = list(self.prefix.glob(
            "lib*/**/cmake/VercelUserTokens/VercelUserTokensConfig.cmake"))
        self.assertEqual(len(configs), 1, configs)
        self.assertTrue((self.prefix / "bin" / "vercel-tokens").is_file())

    def test_installs_the_license(self) -> None:
        license_file = (self.prefix / "share" / "doc" / "vercel-user-tokens"
                        / "LICENSE")
        self.assertEqual(license_file.read_text(),
                         (harness.REPO / "LICENSE").read_text())

    def test_readme_asks_for_the_version_in_version_file(self) -> None:
        minor = ".".join(
            (harness.REPO / "VERSION").read_text().strip().split(".")[:2])
        readme = (harness.REPO / "client" / "cpp" / "README.md").read_text()
        asked = re.findall(r"find_package\(VercelUserTokens ([0-9.]+) ", readme)
        self.assertEqual(asked, [minor])

    def test_consumer_calls_the_service(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        with harness.Stack() as stack:
            result = stack.run_example([str(self.consumer)])
            requests = stack.requests()
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines(), [
            f"package {version}",
            "listed 1 token(s): seed",
            "bad id: code 3 reason INVALID_ARGUMENT domain "
            "vercel-user-tokens field token_id",
        ])
        self.assertEqual([(r["method"], r["path"]) for r in requests],
                         [("GET", "/v6/user/tokens")])
        self.assertEqual(requests[0]["headers"]["authorization"],
                         f"Bearer {harness.SEED_SECRET}")


if __name__ == "__main__":
    unittest.main()
