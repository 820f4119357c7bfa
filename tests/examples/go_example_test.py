"""client/go/example against the real server and the fake.

The module is built as on a Debian 12 machine with no module proxy: in
GOPATH mode over Debian's Go libraries in /usr/share/gocode
(golang-google-grpc-dev, golang-google-protobuf-dev,
golang-google-genproto-dev), with a copy of client/go at its import path, as
client/go/README.md shows. `go vet` checks the whole module.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness

MODULE = harness.REPO / "client" / "go"
DEBIAN_GOPATH = "/usr/share/gocode"
# A cold build compiles grpc-go from source.
BUILD_TIMEOUT_S = 600


def module_path() -> str:
    """The module path that client/go/go.mod declares."""
    for line in (MODULE / "go.mod").read_text().splitlines():
        if line.startswith("module "):
            return line.split()[1]
    raise AssertionError("client/go/go.mod declares no module")


class GoExampleTest(client_example_checks.ClientExampleChecks,
                    unittest.TestCase):
    LANGUAGE = "go"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        gopath = cls.work_dir / "gopath"
        module = shutil.copytree(MODULE, gopath / "src" / module_path())
        env = dict(os.environ, GO111MODULE="off",
                   GOPATH=f"{gopath}{os.pathsep}{DEBIAN_GOPATH}")
        if not {"GOCACHE", "XDG_CACHE_HOME", "HOME"} & env.keys():
            env["GOCACHE"] = f"{cls.work_dir}/cache"
        cls.binary = f"{cls.work_dir}/example"
        for argv in (["go", "vet", "./..."],
                     ["go", "build", "-o", cls.binary, "./example"]):
            done = subprocess.run(argv, cwd=module, env=env, text=True,
                                  capture_output=True,
                                  timeout=BUILD_TIMEOUT_S)
            if done.returncode != 0:
                raise AssertionError(f"{' '.join(argv)} failed:\n"
                                     + done.stdout + done.stderr)

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


if __name__ == "__main__":
    unittest.main()
