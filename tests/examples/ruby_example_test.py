"""client/ruby/example/example.rb against the real server and the fake.

The gem is used as a user gets it: built from client/ruby's gemspec,
installed into a private GEM_HOME (its dependencies, grpc,
google-protobuf and googleapis-common-protos-types, resolve to Debian's
gems), and the example runs with plain `ruby`, requiring it by name.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness

GEM_DIR = harness.REPO / "client" / "ruby"


class RubyExampleTest(client_example_checks.ClientExampleChecks,
                      unittest.TestCase):
    LANGUAGE = "ruby"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        root = cls.work_dir
        cls.source = pathlib.Path(shutil.copytree(GEM_DIR, root / "ruby"))
        cls.gem_home = root / "gems"
        cls.env = {"GEM_HOME": str(cls.gem_home)}
        version = (harness.REPO / "VERSION").read_text().strip()
        cls.gem_file = cls.source / f"vercel_user_tokens-{version}.gem"
        subprocess.run(["gem", "build", "vercel_user_tokens.gemspec"],
                       cwd=cls.source, check=True, capture_output=True,
                       timeout=harness.TIMEOUT_S)
        subprocess.run(
            ["gem", "install", "--local", "--no-document", str(cls.gem_file)],
            cwd=cls.source, env={**os.environ, **cls.env}, check=True,
            capture_output=True, timeout=harness.TIMEOUT_S)

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        # Run from outside the source tree, so only the installed gem can
        # satisfy `require 'vercel_user_tokens'`.
        return stack.run_example(
            ["ruby", str(cls.source / "example" / "example.rb")],
            cwd=cls.gem_home, env=cls.env)

    def test_gem_is_built_at_the_version_in_VERSION(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        self.assertTrue(self.gem_file.is_file())
        result = subprocess.run(
            ["ruby", "-e", "require 'vercel_user_tokens'; "
             "puts VercelUserTokens::VERSION, "
             "Gem.loaded_specs['vercel_user_tokens'].version"],
            cwd=self.gem_home, env={**os.environ, **self.env},
            capture_output=True, text=True, check=True,
            timeout=harness.TIMEOUT_S)
        self.assertEqual(result.stdout.split(), [version, version])


if __name__ == "__main__":
    unittest.main()
