"""`make demo` (scripts/demo.sh) serves a seeded account, and every CLI line
of the README's CLI section works against it as written (only --server
points at the port the demo chose). Standard library only.

The build folder comes from the environment variable VUT_BUILD_DIR (set by
CTest), else build/.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import subprocess
import tempfile
import unittest
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("VUT_BUILD_DIR", REPO / "build"))
TIMEOUT_S = 60


def readme_cli_lines() -> list[str]:
    """The `vercel-tokens ...` lines of the README's CLI section."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## The CLI"):]
    block = section[section.index("```sh"):]
    block = block[:block.index("```", 5)]
    return [line.split("  #")[0].strip() for line in block.splitlines()
            if line.startswith("vercel-tokens ")]


class DemoTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.demo = subprocess.Popen(
            [str(REPO / "scripts" / "demo.sh"), str(BUILD)],
            env=dict(os.environ, DEMO_LISTEN="127.0.0.1:0"),
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        cls.printed = []
        for line in iter(cls.demo.stdout.readline, ""):
            cls.printed.append(line.rstrip("\n"))
            if "/_fake/confirm" in line:
                break
        text = "\n".join(cls.printed)
        cls.exports = dict(re.findall(r"(\w+)=(\S+)",
                                      re.search(r"export VERCEL_TOKEN.*", text)
                                      .group(0)))
        cls.fake = re.search(r"(http://\S+)/_fake/confirm", text).group(1)
        cls.work = tempfile.TemporaryDirectory(prefix="vut-demo-")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.demo.terminate()
        cls.demo.wait(timeout=TIMEOUT_S)
        cls.demo.stdout.close()
        cls.work.cleanup()

    def command(self, line: str) -> list[str]:
        """`line` as argv, the built CLI pointed at the demo's server."""
        argv = [arg for arg in shlex.split(line)
                if not arg.startswith("--server=")]
        return [str(BUILD / "client" / "cpp" / "vercel-tokens"),
                f"--server={self.exports['VUT_ADDRESS']}", *argv[1:]]

    def env(self) -> dict[str, str]:
        return dict(os.environ, VERCEL_TOKEN=self.exports["VERCEL_TOKEN"])

    def confirm(self, email: str) -> None:
        """Opens the email link of the pending logins of `email`."""
        request = urllib.request.Request(
            self.fake + "/_fake/confirm", method="POST",
            data=json.dumps({"email": email}).encode(),
            headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=TIMEOUT_S).close()

    def test_prints_what_to_run_next(self) -> None:
        self.assertEqual(
            (self.exports["VERCEL_TOKEN"], self.exports["VERCEL_TEAM_ID"]),
            ("demo-vercel-token", "team_demo"))
        self.assertIn("  vercel-tokens get current", self.printed)

    def test_every_readme_cli_line_works(self) -> None:
        lines = readme_cli_lines()
        self.assertGreaterEqual(len(lines), 8, lines)
        for line in lines:
            with self.subTest(line=line):
                if " verify " in line:
                    self.confirm("me@example.com")
                if " login " in line:
                    # It shows the security code on stderr, then polls
                    # until the email link has been opened.
                    login = subprocess.Popen(
                        self.command(line), cwd=self.work.name, env=self.env(),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        text=True)
                    self.assertIn("Security code: ", login.stderr.readline())
                    self.confirm("me@example.com")
                    out, err = login.communicate(timeout=TIMEOUT_S)
                    self.assertEqual(login.returncode, 0, err)
                    continue
                done = subprocess.run(
                    self.command(line), cwd=self.work.name, env=self.env(),
                    capture_output=True, text=True, timeout=TIMEOUT_S)
                self.assertEqual(done.returncode, 0, done.stderr)


if __name__ == "__main__":
    unittest.main()
