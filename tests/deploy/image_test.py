#!/usr/bin/python3
"""The Dockerfile builds the image the chart expects: Debian 12, the server as
entrypoint, the CLI where the probes call it, a non-root user matching the
chart's security context, and a small build context. (No Docker engine runs
here: release_build_test.py runs the build stage's steps, and
runtime_libraries_test.py checks the runtime stage's packages.)"""

import json
import unittest

import chart
import dockerfile


class ImageTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stages = dockerfile.stages()
        cls.runtime = cls.stages["runtime"]
        cls.values = chart.yaml.safe_load(
            (chart.CHART / "values.yaml").read_text())

    def test_build_and_runtime_stages_are_the_same_debian_release(self):
        self.assertEqual(list(self.stages), ["build", "runtime"])
        self.assertEqual(self.stages["build"].base, "debian:12")
        self.assertEqual(self.runtime.base, "debian:12-slim")

    def test_server_is_the_entrypoint_and_the_cli_is_beside_it(self):
        self.assertEqual(json.loads(self.runtime.last("ENTRYPOINT")),
                         ["/usr/local/bin/vercel-tokens-server"])
        self.assertIn(("build", ["/out/vercel-tokens-server",
                                 "/out/vercel-tokens"], "/usr/local/bin/"),
                      self.runtime.copies())
        # Where the chart's exec probes and test pod call the CLI.
        m = chart.render([chart.CI_VALUES / "tls-listener-values.yaml"])
        probe = m.server_container()["livenessProbe"]["exec"]["command"]
        self.assertEqual(probe[0], "/usr/local/bin/vercel-tokens")
        self.assertEqual(
            m.test_pod()["spec"]["containers"][0]["command"][0],
            "/usr/local/bin/vercel-tokens")

    def test_runs_as_the_non_root_user_the_chart_declares(self):
        user, group = self.runtime.last("USER").split(":")
        psc = self.values["podSecurityContext"]
        # Numeric, so that the kubelet can verify runAsNonRoot.
        self.assertEqual((int(user), int(group)),
                         (psc["runAsUser"], psc["runAsGroup"]))
        self.assertNotEqual(int(user), 0)
        # Every RUN comes before it: nothing is left to run as root.
        keywords = [k for k, _ in self.runtime.instructions]
        self.assertGreater(len(keywords) - keywords[::-1].index("USER"),
                           len(keywords) - keywords[::-1].index("RUN"))

    def test_exposes_the_ports_the_chart_uses(self):
        exposed = {int(p) for p in self.runtime.last("EXPOSE").split()}
        self.assertEqual(exposed, {self.values["server"]["port"],
                                   self.values["metrics"]["port"]})

    def test_build_context_leaves_out_build_output_and_tools(self):
        patterns = dockerfile.ignore_patterns()
        for path in (".git/config", "build/CMakeCache.txt",
                     "tools/node_modules/x", "helm/vercel-user-tokens",
                     "server/__pycache__/x.pyc"):
            self.assertTrue(dockerfile.ignored(path, patterns), path)
        for path in ("server/main.cc", "client/cpp/cli.cc",
                     "proto/vercel/authentication/v1/user_tokens.proto"):
            self.assertFalse(dockerfile.ignored(path, patterns), path)


if __name__ == "__main__":
    unittest.main()
