#!/usr/bin/python3
"""The image's build steps, run here: scripts/build-release.sh on exactly the
files the Dockerfile's build stage copies (after .dockerignore), so a file
missing from a COPY fails `make test`, not the image build in CI.

Leaves the binaries in $VUT_RELEASE_OUT for the tests that need them
(ctest fixture deploy_release).
"""

import os
import pathlib
import subprocess
import unittest

import dockerfile

REPO = dockerfile.REPO
CONTEXT = pathlib.Path(os.environ["VUT_RELEASE_CONTEXT"])
BUILD_DIR = pathlib.Path(os.environ["VUT_RELEASE_BUILD_DIR"])
OUT = pathlib.Path(os.environ["VUT_RELEASE_OUT"])
BINARIES = ("vercel-tokens-server", "vercel-tokens")


class ReleaseBuildTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        build = dockerfile.stages()["build"]
        # The Dockerfile runs the script, from /src, into /out.
        assert "scripts/build-release.sh /out" in build.all("RUN")
        dockerfile.stage_build_context("build", "/src", CONTEXT)
        env = dict(os.environ, VUT_RELEASE_BUILD_DIR=str(BUILD_DIR))
        result = subprocess.run(
            [str(CONTEXT / "scripts" / "build-release.sh"), str(OUT)],
            env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError("scripts/build-release.sh failed:\n"
                                 + result.stdout[-4000:]
                                 + result.stderr[-4000:])

    def test_build_installs_both_binaries_from_a_release_build(self):
        self.assertEqual(sorted(p.name for p in OUT.iterdir()),
                         sorted(BINARIES))
        for name in BINARIES:
            self.assertTrue(os.access(OUT / name, os.X_OK), name)
        cache = (BUILD_DIR / "CMakeCache.txt").read_text()
        self.assertIn("CMAKE_BUILD_TYPE:STRING=Release", cache)
        self.assertIn("VUT_BUILD_TESTS:BOOL=OFF", cache)

    def test_server_reports_the_version_the_chart_deploys(self):
        version = (REPO / "VERSION").read_text().strip()
        result = subprocess.run([str(OUT / "vercel-tokens-server"),
                                 "--version"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.strip(),
                         f"vercel-tokens-server {version}")

    def test_binaries_carry_no_symbols(self):
        # Stripped, as installed in the image: smaller pulls, same behaviour.
        for name in BINARIES:
            result = subprocess.run(["nm", str(OUT / name)],
                                    capture_output=True, text=True)
            self.assertIn("no symbols", result.stderr, name)


if __name__ == "__main__":
    unittest.main()
