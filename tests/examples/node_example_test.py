"""client/node's example, and its client layer, against the real server.

The package is used as a user gets it: `npm pack` makes the tarball from a
copy of client/node, a scratch project installs it with `npm install
<tarball>` (its dependencies come from the npm registry, or npm's cache), a
later plain `npm install` keeps it, and the example runs there with plain
`node`, loading the package by its name. TypeScript code using the package
is type-checked against its typings with the pinned tsc. The probe checks
the typed errors, their decoded details and the retry; node_scenarios.js
runs client/SPEC.md's scenario list. A copy of client/node, after `npm ci`,
runs its example where it stands.
"""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness
import layer_checks
import sdk_scenario_checks

PACKAGE = harness.REPO / "client" / "node"
TSC = harness.REPO / "tools" / "node_modules" / ".bin" / "tsc"
NPM = ["npm", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]
SCENARIOS = pathlib.Path(__file__).with_name("node_scenarios.js")
# Uses the package as a TypeScript caller would. The last three statements
# must not type-check: a number as a token id, reading a field that does not
# exist, and a request without its required field.
TYPED_USE = """\
import {
  GetAuthTokenResult,
  RateLimitedError,
  UserTokensClient,
  UserTokensError,
} from "@vercel-user-tokens/client";

export async function use(client: UserTokensClient): Promise<string> {
  try {
    const got: GetAuthTokenResult = await client.getAuthToken({ tokenId: "x" });
    // Always set by the server: neither is optional.
    const prefix: string = got.token.prefix;
    const created: Date | undefined = got.token.createdAt;
    return `${prefix} ${String(created)}`;
  } catch (error) {
    if (error instanceof RateLimitedError) {
      const wait: number | undefined = error.retryDelayMs;
      const limit: number | undefined = error.rateLimit.limit;
      return `${wait} ${limit}`;
    }
    if (error instanceof UserTokensError) {
      return error.fieldViolations.map((v) => v.field).join() + error.reason;
    }
    throw error;
  }
}
export const bad = (client: UserTokensClient) =>
  client.getAuthToken({ tokenId: 1 });
export const missing = (client: UserTokensClient) =>
  client.listAuthTokens().then((r) => r.nextPage);
export const empty = (client: UserTokensClient) => client.getAuthToken({});
"""
PROBE = """\
"use strict";
const fs = require("fs");
const { UserTokensClient, UserTokensError } = require("@vercel-user-tokens/client");

async function main() {
  const scenario = process.argv[2];
  const tls = scenario === "tls";
  const pem = (name) => process.env[name] ? fs.readFileSync(process.env[name]) : undefined;
  const client = new UserTokensClient(process.env.VUT_ADDRESS, {
    insecure: !tls,
    tls: tls ? {
      rootCa: pem("VUT_ROOT_CA"),
      clientCert: pem("VUT_CLIENT_CERT"),
      clientKey: pem("VUT_CLIENT_KEY"),
      serverNameOverride: process.env.VUT_SERVER_NAME,
    } : undefined,
    token: scenario === "unauthenticated" ? undefined : process.env.VERCEL_TOKEN,
    deadlineMs: 10_000,
    retry: true,
  });
  try {
    if (scenario === "list" || tls) {
      console.log(`listed=${(await client.listAuthTokens()).tokens.length}`);
    } else {
      await client.getAuthToken({ tokenId: scenario === "invalid" ? "../x" : "missing" });
    }
  } catch (e) {
    if (!(e instanceof UserTokensError)) throw e;
    console.log(`class=${e.constructor.name}`);
    console.log(`code=${e.codeName}`);
    console.log(`reason=${e.reason}`);
    console.log(`http_status=${e.errorMetadata.http_status ?? ""}`);
    console.log(`retry_delay_ms=${e.retryDelayMs ?? ""}`);
    for (const v of e.fieldViolations) console.log(`field=${v.field}`);
    console.log(`ratelimit_limit=${e.rateLimit.limit ?? ""}`);
  } finally {
    client.close();
  }
}
main();
"""


class NodeExampleTest(client_example_checks.ClientLayerChecks,
                      layer_checks.LayerChecks,
                      sdk_scenario_checks.SdkScenarioChecks,
                      unittest.TestCase):
    LANGUAGE = "node"
    ERROR_CLASSES = {
        "rate_limited": "RateLimitedError",
        "not_found": "NotFoundError",
        "invalid_argument": "InvalidArgumentError",
        "unauthenticated": "UnauthenticatedError",
        "permission_denied": "PermissionDeniedError",
        "unavailable": "UnavailableError",
        "other": "UserTokensError",
    }

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        source = shutil.copytree(PACKAGE, cls.work_dir / "package",
                                 ignore=shutil.ignore_patterns("node_modules"))
        packed = subprocess.run(
            [*NPM, "pack", "--json", "--pack-destination", str(cls.work_dir)],
            cwd=source, check=True, capture_output=True, text=True,
            timeout=harness.TIMEOUT_S * 2)
        cls.tarball = cls.work_dir / json.loads(packed.stdout)[0]["filename"]
        cls.project = cls.work_dir / "project"
        cls.project.mkdir()
        (cls.project / "package.json").write_text(
            json.dumps({"name": "scratch", "private": True}))
        subprocess.run([*NPM, "install", str(cls.tarball)], cwd=cls.project,
                       check=True, capture_output=True,
                       timeout=harness.TIMEOUT_S * 5)
        # What a teammate runs next; it must keep the package.
        subprocess.run([*NPM, "install"], cwd=cls.project, check=True,
                       capture_output=True, timeout=harness.TIMEOUT_S * 5)
        shutil.copy(source / "example" / "example.js", cls.project)
        shutil.copy(SCENARIOS, cls.project)
        (cls.project / "probe.js").write_text(PROBE)
        cls.source = source

    def scenario_argv(self, name: str) -> list[str]:
        return ["node", str(self.project / SCENARIOS.name), name]

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example(["node", "example.js"], cwd=cls.project)

    @classmethod
    def run_probe(cls, stack: harness.Stack, scenario: str,
                  env: dict[str, str] | None = None
                  ) -> subprocess.CompletedProcess:
        return stack.run_example(["node", "probe.js", scenario],
                                 cwd=cls.project, env=env)

    def test_package_survives_npm_install_at_the_version_in_VERSION(
            self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        manifest = json.loads((self.project / "package.json").read_text())
        self.assertEqual(
            manifest["dependencies"]["@vercel-user-tokens/client"],
            f"file:{pathlib.Path('..') / self.tarball.name}")
        result = subprocess.run(
            ["node", "-p",
             "const p = require('@vercel-user-tokens/client/package.json');"
             "const c = require('@vercel-user-tokens/client');"
             "[p.version, p.license, typeof c.UserTokensClient].join(' ')"],
            cwd=self.project, capture_output=True, text=True, check=True,
            timeout=harness.TIMEOUT_S)
        self.assertEqual(result.stdout.strip(),
                         f"{version} Apache-2.0 function")

    def test_typescript_callers_get_accurate_typings(self) -> None:
        source = self.project / "typed_use.ts"
        source.write_text(TYPED_USE)
        result = subprocess.run(
            [str(TSC), "--ignoreConfig", "--noEmit", "--strict",
             "--module", "nodenext", "--types", "", str(source)],
            cwd=self.project, capture_output=True, text=True,
            timeout=harness.TIMEOUT_S)
        errors = [line for line in result.stdout.splitlines()
                  if "error TS" in line]
        lines = TYPED_USE.splitlines()
        bad, missing, empty = (
            1 + next(i for i, line in enumerate(lines) if text in line)
            for text in ("tokenId: 1", "r.nextPage", "getAuthToken({})"))
        self.assertEqual(len(errors), 3, result.stdout + result.stderr)
        self.assertIn(f"typed_use.ts({bad},", errors[0])
        self.assertIn("'number' is not assignable to type 'string",
                      errors[0])
        self.assertIn(f"typed_use.ts({missing},", errors[1])
        self.assertIn("'nextPage' does not exist", errors[1])
        # A request without its required field does not compile.
        self.assertIn(f"typed_use.ts({empty},", errors[2])
        self.assertIn("'GetAuthTokenInput'", errors[2])

    def test_token_file_is_read_again_at_least_once_a_minute(self) -> None:
        # Rewritten in place with the same size and modification time (a
        # change stat cannot see): the next minute's read picks it up.
        token = self.work_dir / "token"
        token.write_text("aaaaaa\n")
        program = (
            "const fs = require('fs');"
            "const { TokenFile } = require('@vercel-user-tokens/client');"
            "const path = process.argv[1]; let now = 0;"
            "fs.utimesSync(path, 1e9, 1e9);"
            "const f = new TokenFile(path, () => now);"
            "const seen = [f.read()];"
            "fs.writeFileSync(path, 'bbbbbb\\n');"
            "fs.utimesSync(path, 1e9, 1e9);"
            "now = 59000; seen.push(f.read());"
            "now = 60000; seen.push(f.read());"
            "console.log(seen.join(' '));")
        ran = subprocess.run(["node", "-e", program, str(token)],
                             cwd=self.project, capture_output=True, text=True,
                             timeout=harness.TIMEOUT_S)
        self.assertEqual(ran.stdout.split(), ["aaaaaa", "aaaaaa", "bbbbbb"],
                         ran.stderr)

    def test_package_json_names_repository_homepage_and_bugs(self) -> None:
        manifest = json.loads(
            (self.project / "node_modules" / "@vercel-user-tokens" / "client"
             / "package.json").read_text())
        self.assertEqual(
            (manifest["repository"]["url"], manifest["repository"]["directory"]),
            ("git+https://github.com/vercel-user-tokens/vercel-user-tokens.git",
             "client/node"))
        self.assertTrue(manifest["homepage"].startswith("https://github.com/"))
        self.assertTrue(manifest["bugs"]["url"].endswith("/issues"))

    def test_example_runs_where_it_stands(self) -> None:
        # In a clone: `npm ci` in client/node, then the example as it is;
        # it loads the package by name (package self-reference).
        subprocess.run([*NPM, "ci"], cwd=self.source, check=True,
                       capture_output=True, timeout=harness.TIMEOUT_S * 5)
        with harness.Stack() as stack:
            result = stack.run_example(["node", "example/example.js"],
                                       cwd=self.source)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout.splitlines()[0],
                         "listed 1 token(s): seed")


if __name__ == "__main__":
    unittest.main()
