"""client/ruby's example, and its client layer, against the real server.

The gem is used as a user gets it: built from client/ruby's gemspec,
installed into a private GEM_HOME (its dependencies, grpc,
google-protobuf and googleapis-common-protos-types, resolve to Debian's
gems), and the example runs with plain `ruby`, requiring it by name. The
probe checks the typed errors, their decoded details and the retry;
ruby_scenarios.rb runs client/SPEC.md's scenario list (sdk_scenario_checks.py).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import unittest

import client_example_checks
import harness
import layer_checks
import sdk_scenario_checks

GEM_DIR = harness.REPO / "client" / "ruby"
SCENARIOS = pathlib.Path(__file__).with_name("ruby_scenarios.rb")
PROBE = """\
require 'vercel_user_tokens'

scenario = ARGV.fetch(0)
tls = scenario == 'tls'
pem = ->(name) { tls && ENV[name] ? File.read(ENV[name]) : nil }
client = VercelUserTokens::Client.new(
  ENV.fetch('VUT_ADDRESS'), insecure: !tls, deadline: 10, retry_policy: true,
  root_ca: pem.call('VUT_ROOT_CA'), client_cert: pem.call('VUT_CLIENT_CERT'),
  client_key: pem.call('VUT_CLIENT_KEY'),
  server_name_override: tls ? ENV.fetch('VUT_SERVER_NAME') : nil,
  token: scenario == 'unauthenticated' ? nil : ENV.fetch('VERCEL_TOKEN'))
begin
  if scenario == 'list' || tls
    puts "listed=#{client.list_auth_tokens.tokens.size}"
  else
    client.get_auth_token(token_id: scenario == 'invalid' ? '../x' : 'missing')
  end
rescue VercelUserTokens::Error => e
  puts "class=#{e.class.name.split('::').last}", "code=#{e.code_name}",
       "reason=#{e.reason}", "http_status=#{e.error_metadata['http_status']}",
       "retry_delay_ms=#{e.retry_delay && (e.retry_delay * 1000).round}"
  e.field_violations.each { |v| puts "field=#{v.field}" }
  puts "ratelimit_limit=#{e.rate_limit.limit}"
ensure
  client.close
end
"""


class RubyExampleTest(client_example_checks.ClientLayerChecks,
                      layer_checks.LayerChecks,
                      sdk_scenario_checks.SdkScenarioChecks,
                      unittest.TestCase):
    LANGUAGE = "ruby"
    ERROR_CLASSES = {
        "rate_limited": "RateLimitedError",
        "not_found": "NotFoundError",
        "invalid_argument": "InvalidArgumentError",
        "unauthenticated": "UnauthenticatedError",
        "permission_denied": "PermissionDeniedError",
        "unavailable": "UnavailableError",
        "other": "Error",
    }

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

    @classmethod
    def run_probe(cls, stack: harness.Stack, scenario: str,
                  env: dict[str, str] | None = None
                  ) -> subprocess.CompletedProcess:
        probe = cls.work_dir / "probe.rb"
        probe.write_text(PROBE)
        return stack.run_example(["ruby", str(probe), scenario],
                                 cwd=cls.gem_home, env={**cls.env, **(env or {})})

    def scenario_argv(self, name: str) -> list[str]:
        return ["ruby", str(SCENARIOS), name]

    def run_scenario(self, name: str, env: dict[str, str] | None = None
                     ) -> dict[str, dict]:
        # Only the installed gem (GEM_HOME) can satisfy the require.
        return super().run_scenario(name, {**self.env, **(env or {})})

    def test_cancellation_before_and_between_attempts(self) -> None:
        self.reset()
        self.fault("/v5/user/tokens/waiting", 503, {"Retry-After": "20"},
                   times=3)
        cases = self.run_scenario("cancellation_races")
        before = cases["cancelled_before"]
        self.assertEqual(sdk_scenario_checks.family(before["family"]),
                         "Cancelled")
        self.assertEqual(self.upstream("/v6/user/tokens"), [])
        between = cases["cancelled_between_attempts"]
        self.assertEqual(sdk_scenario_checks.family(between["family"]),
                         "Cancelled")
        # The 20 s RetryInfo was not waited out, and not retried.
        self.assertLess(between["elapsed_ms"], 20000)
        self.assertEqual(len(self.upstream("/v5/user/tokens/waiting")), 1)

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

    def test_gemspec_allows_google_protobuf_3_and_4(self) -> None:
        result = subprocess.run(
            ["ruby", "-e",
             "spec = Gem::Specification.load('vercel_user_tokens.gemspec'); "
             "dep = spec.runtime_dependencies.find { |d| "
             "d.name == 'google-protobuf' }; "
             "puts %w[3.21.12 3.25.5 4.29.0 5.0.0].map { |v| "
             "dep.match?('google-protobuf', v) }.join(' '); puts spec.license"],
            cwd=self.source, capture_output=True, text=True, check=True,
            timeout=harness.TIMEOUT_S)
        self.assertEqual(result.stdout.split(),
                         ["true", "true", "true", "false", "Apache-2.0"])


if __name__ == "__main__":
    unittest.main()
