"""client/node/example/example.js against the real server and the fake.

The package is used as a user gets it: client/node is copied without any
node_modules, its runtime dependencies are installed from the committed
package-lock.json (`npm ci`), and the example runs with plain `node`,
loading the package by its name. TypeScript code using the package is
type-checked against its typings with the pinned tsc.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness

PACKAGE = harness.REPO / "client" / "node"
TSC = harness.REPO / "tools" / "node_modules" / ".bin" / "tsc"
# Uses the package as a TypeScript caller would; the last call must not
# type-check.
TYPED_USE = """\
import {
  errorDetails,
  GetAuthTokenResponse,
  grpc,
  UserTokensServiceClient,
} from "@vercel-user-tokens/client";

const client = new UserTokensServiceClient(
  "localhost:1", grpc.credentials.createInsecure());
client.getAuthToken(
  { tokenId: "x" },
  (error: grpc.ServiceError | null, response: GetAuthTokenResponse) => {
    if (error) {
      const reason: string | undefined = errorDetails(error).errorInfo?.reason;
      console.log(reason);
    } else {
      const name: string | undefined = response.token?.name;
      console.log(name);
    }
  });
client.getAuthToken({ tokenId: 1 }, () => {});
"""


class NodeExampleTest(client_example_checks.ClientExampleChecks,
                      unittest.TestCase):
    LANGUAGE = "node"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.package = pathlib.Path(shutil.copytree(
            PACKAGE, f"{cls.work_dir}/node",
            ignore=shutil.ignore_patterns("node_modules")))
        subprocess.run(
            ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund",
             "--loglevel=error"],
            cwd=cls.package, check=True, timeout=harness.TIMEOUT_S * 5)

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example(["node", "example/example.js"],
                                 cwd=cls.package)

    def test_package_is_loaded_by_name_at_the_version_in_VERSION(self) -> None:
        result = subprocess.run(
            ["node", "-p",
             "const p = require('@vercel-user-tokens/client/package.json');"
             "const c = require('@vercel-user-tokens/client');"
             "[p.version, typeof c.UserTokensServiceClient].join(' ')"],
            cwd=self.package / "example", capture_output=True, text=True,
            check=True, timeout=harness.TIMEOUT_S)
        version = (harness.REPO / "VERSION").read_text().strip()
        self.assertEqual(result.stdout.strip(), f"{version} function")

    def test_typescript_callers_get_typings(self) -> None:
        source = self.package / "typed_use.ts"
        source.write_text(TYPED_USE)
        result = subprocess.run(
            [str(TSC), "--ignoreConfig", "--noEmit", "--strict",
             "--module", "nodenext", "--types", "node", str(source)],
            cwd=self.package, capture_output=True, text=True,
            timeout=harness.TIMEOUT_S)
        # Exactly one error: the number passed as a token id.
        errors = [line for line in result.stdout.splitlines()
                  if "error TS" in line]
        self.assertEqual(len(errors), 1, result.stdout + result.stderr)
        self.assertIn("typed_use.ts(21,", errors[0])
        self.assertIn("'number' is not assignable to type 'string'",
                      errors[0])

if __name__ == "__main__":
    unittest.main()
