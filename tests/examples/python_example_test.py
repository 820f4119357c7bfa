"""client/python/example/example.py against the real server and the fake.

The package is used as a user gets it: client/python is copied and installed
with pip into a temporary folder (`pip install client/python`), offline: the
build backend (python3-setuptools) and the runtime (python3-grpcio,
python3-protobuf) are Debian's, so the example runs on /usr/bin/python3 with
only that folder added to its path.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness

DEBIAN_PYTHON = "/usr/bin/python3"
PACKAGE = harness.REPO / "client" / "python"


class PythonExampleTest(client_example_checks.ClientExampleChecks,
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
        cls.site = cls.work_dir / "site"
        install = subprocess.run(
            [DEBIAN_PYTHON, "-m", "pip", "install", "--no-index", "--no-deps",
             "--no-build-isolation", "--target", str(cls.site), str(source)],
            capture_output=True, text=True, timeout=harness.TIMEOUT_S)
        if install.returncode != 0:
            raise AssertionError("pip install client/python failed:\n"
                                 + install.stdout + install.stderr)
        cls.example = source / "example" / "example.py"

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example([DEBIAN_PYTHON, str(cls.example)],
                                 env={"PYTHONPATH": str(cls.site)})

    def test_installed_package_carries_the_version(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        shown = subprocess.run(
            [DEBIAN_PYTHON, "-c",
             "import importlib.metadata, vercel.authentication.v1 as v1;"
             "print(importlib.metadata.version('vercel-user-tokens'),"
             " v1.__version__)"],
            env={"PYTHONPATH": str(self.site)}, capture_output=True,
            text=True, timeout=harness.TIMEOUT_S)
        self.assertEqual(shown.stdout.split(), [version, version],
                         shown.stderr)


if __name__ == "__main__":
    unittest.main()
