#!/usr/bin/python3
"""The pod ci/front-proxy-values.yaml renders, run here: the release server
with the Deployment's args (on loopback, as rendered, with a free port) and
nginx with the rendered ConfigMap and the sidecar's command. Calls reach
the server only through nginx: `helm test`'s health check and its call to
Vercel (the fake) pass through it, so do the kubelet's probes, and a client
that never acknowledges SETTINGS and opens 20,000 streams on the Service's
port raises the server's memory by less than the issue's 64 MiB (straight to
the server such a flood took it from 23 to 260 MiB, docs/security.md).

Needs the binaries of release_build_test.py ($VUT_RELEASE_OUT), nginx and
python3-h2 (scripts/deps/apt-core.txt).
"""

import subprocess
import sys
import tempfile
import unittest

import chart
import chart_server_test as pods

sys.path.insert(0, str(chart.REPO / "tests" / "attacks"))
import h2_attacks as attacks  # noqa: E402

CI_FRONT_PROXY = chart.CI_VALUES / "front-proxy-values.yaml"
CONFIG_MAP = f"{chart.RELEASE}-vercel-user-tokens-front-proxy"
# The bound on what one client adds to the server's memory.
MAX_GROWTH_MIB = 64
OTHER_CLIENT = "127.0.0.2"
# How long a health check may take during the flood on a shared machine.
ANSWER_WAIT = 30
OK = 0


def status_mib(pid, field):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no {field} for {pid}")


class ChartFrontProxyServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        attacks.raise_fd_limit()
        cls.tmp = tempfile.TemporaryDirectory()
        tls = pods.make_certificates(cls.tmp.name)
        cls.secrets = pods.secrets_for(cls.tmp.name, tls)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def start_fake_vercel(self):
        fake = subprocess.Popen(
            [sys.executable, str(pods.FAKE_VERCEL), "--host", "127.0.0.1",
             "--port", "0", "--tls-cert", f"{self.tmp.name}/tls.crt",
             "--tls-key", f"{self.tmp.name}/tls.key"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(fake.stdout.close)
        self.addCleanup(fake.wait)
        self.addCleanup(fake.terminate)
        line = fake.stdout.readline()
        self.assertTrue(line.startswith("PORT "), line)
        return int(line.split()[1])

    def setUp(self):
        self.m = chart.render([CI_FRONT_PROXY])
        self.secrets_here, config_maps = (
            pods.rendered_secrets_and_config_maps(self.m, self.secrets))
        self.root = tempfile.mkdtemp(dir=self.tmp.name)
        self.pod = pods.Pod(self.m, self.secrets_here, self.root, config_maps)
        self.pod.start([
            f"--vercel_api_base_url=https://localhost:"
            f"{self.start_fake_vercel()}",
            f"--vercel_ca_file={self.tmp.name}/ca.crt"])
        self.addCleanup(self.pod.stop)
        self.server_address = self.pod.wait_for_log("listening")["address"]
        self.nginx = pods.Nginx(self.m, self.secrets_here, config_maps,
                                self.root, self.server_address)
        self.addCleanup(self.nginx.stop)
        # nginx passes calls to the address the server was rendered to
        # listen on, and listens where the Service sends them.
        self.assertEqual(self.nginx.rendered_upstream, self.m.flag("listen"))
        (port,) = self.m.front_proxy_container()["ports"]
        self.assertEqual(self.nginx.rendered_listen,
                         f"0.0.0.0:{port['containerPort']}")
        self.assertEqual(attacks.health_check(self.nginx.address, timeout=20),
                         OK, self.nginx_log())

    def nginx_log(self):
        self.nginx.log.flush()
        self.nginx.log.seek(0)
        return self.nginx.log.read()

    def run_cli(self, command, timeout=60):
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=timeout)

    def test_helm_tests_and_probes_pass_through_nginx(self):
        proxy_port = int(self.nginx.address.rsplit(":", 1)[1])
        for name in ("health", "upstream"):
            result = self.run_cli(pods.test_pod_command(
                self.m, self.pod, name, proxy_port, self.secrets_here,
                self.root))
            self.assertEqual(result.returncode, 0,
                             f"{name}: {result.stdout}{result.stderr}")
        # The call to Vercel went through nginx and the server: the fake
        # refused the made-up token itself.
        self.assertIn("Vercel API error 403", result.stdout)

        # The kubelet's gRPC readiness probe of the nginx container.
        probe = self.m.front_proxy_container()["readinessProbe"]["grpc"]
        result = self.run_cli([
            str(pods.OUT / "vercel-tokens"), f"--server={self.nginx.address}",
            "health", f"--health_service={probe['service']}"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # The server container's exec probes, on loopback.
        server = self.m.server_container()
        for name in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = [f"--server={self.server_address}"
                       if a.startswith("--server=") else self.pod.local(a)
                       for a in server[name]["exec"]["command"]]
            result = self.run_cli(command)
            self.assertEqual(result.returncode, 0,
                             f"{name}: {result.stdout}{result.stderr}")

    def test_a_workload_token_of_8_kib_reaches_the_server(self):
        # The server takes x-workload-token up to 8 KiB (and metadata up to
        # 16 KiB); nginx must not refuse what the server would judge.
        token_file = f"{self.root}/workload-token"
        with open(token_file, "w") as f:
            f.write("a" * 8190)
        result = self.run_cli([
            str(pods.OUT / "vercel-tokens"), f"--server={self.nginx.address}",
            f"--workload_token_file={token_file}", "list"])
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 1, output)
        self.assertIn("UNAUTHENTICATED", output)
        self.assertIn("WORKLOAD_TOKEN_INVALID", output)

    def test_unacknowledged_settings_flood_leaves_server_memory_bounded(self):
        pid = self.pod.process.pid
        idle = status_mib(pid, "VmRSS")

        result = attacks.header_only_streams(
            self.nginx.address, connections=1, streams=20000,
            hold_seconds=2, ack_settings=False,
            during=lambda: attacks.health_check(
                self.nginx.address, ANSWER_WAIT, source=OTHER_CLIENT))

        growth = status_mib(pid, "VmHWM") - idle
        result["server_rss_mib"] = (round(idle, 1), round(growth, 1))
        # Another client is served through nginx meanwhile.
        self.assertEqual(result["during"], OK, result)
        # nginx refused the streams past its cap or closed the connection.
        self.assertTrue(result["refused"] >= 100 or
                        result["connections_closed"] == 1, result)
        self.assertIsNone(self.pod.process.poll())
        self.assertLess(growth, MAX_GROWTH_MIB, result)


if __name__ == "__main__":
    unittest.main()
