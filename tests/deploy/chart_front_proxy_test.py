#!/usr/bin/python3
"""frontProxy.enabled (ci/front-proxy-values.yaml): nginx from the server's
image in front of the server, with the config of files/front-proxy.conf.in,
the file tests/attacks/front_proxy_test.py attacks through. The server
listens on loopback only; the Service, the NetworkPolicy and the kubelet's
probes reach the pod through nginx's port; the chart refuses the proxy with
the TLS listener."""

import re
import unittest

import chart

CI_FRONT_PROXY = chart.CI_VALUES / "front-proxy-values.yaml"
TEMPLATE = chart.CHART / "files" / "front-proxy.conf.in"
CONFIG_MAP = f"{chart.RELEASE}-vercel-user-tokens-front-proxy"


def directive(config, name):
    """The arguments of the one `name ...;` line of an nginx config."""
    found = re.findall(rf"^\s*{name}\s+([^;{{]*);", config, re.M)
    assert len(found) == 1, (name, found)
    return found[0]


def container_path(container, volume_name):
    (mount,) = [v for v in container["volumeMounts"]
                if v["name"] == volume_name]
    return mount["mountPath"]


class DefaultTest(unittest.TestCase):

    def test_off_by_default_the_server_listens_on_the_pod_address(self):
        m = chart.render()
        self.assertIsNone(m.front_proxy_container())
        self.assertEqual(m.flag("listen"), "0.0.0.0:50051")
        self.assertEqual(
            [c["metadata"]["name"] for c in m.of_kind("ConfigMap")
             if c["metadata"]["name"] == CONFIG_MAP], [])


class FrontProxyRenderTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_FRONT_PROXY])
        cls.server = cls.m.server_container()
        cls.proxy = cls.m.front_proxy_container()
        cls.config = cls.m.get("ConfigMap", CONFIG_MAP)["data"]["nginx.conf"]

    def test_server_is_bound_to_loopback_with_no_pod_port(self):
        self.assertEqual(self.m.flag("listen"), "127.0.0.1:50052")
        self.assertEqual([p["name"] for p in self.server["ports"]],
                         ["metrics"])

    def test_nginx_runs_from_the_same_image_on_the_service_port(self):
        self.assertEqual(self.proxy["image"], self.server["image"])
        self.assertEqual(self.proxy["command"][0], "/usr/sbin/nginx")
        self.assertEqual(self.proxy["ports"], [
            {"name": "grpc", "containerPort": 50051, "protocol": "TCP"}])
        service = self.m.get("Service", f"{chart.RELEASE}-vercel-user-tokens")
        (port,) = service["spec"]["ports"]
        self.assertEqual((port["port"], port["targetPort"]), (50051, "grpc"))
        policy = self.m.get("NetworkPolicy")
        self.assertEqual(policy["spec"]["ingress"][0]["ports"],
                         [{"port": "grpc", "protocol": "TCP"}])

    def test_config_is_the_attacked_file_with_the_pod_addresses(self):
        expected = (TEMPLATE.read_text()
                    .replace("@LISTEN@", "0.0.0.0:50051")
                    .replace("@UPSTREAM@", "127.0.0.1:50052")
                    .replace("@DIR@", container_path(self.proxy,
                                                     "front-proxy-run")))
        # The ConfigMap leaves out the file's leading comment only.
        self.assertTrue(expected.endswith(self.config), self.config)
        self.assertTrue(expected[:-len(self.config)].startswith("#"))
        self.assertEqual(directive(self.config, "listen"),
                         "0.0.0.0:50051 http2")
        self.assertEqual(directive(self.config, "server"),
                         "127.0.0.1:50052 max_conns=256")
        self.assertEqual(
            directive(self.config, "http2_max_concurrent_streams"), "100")
        self.assertEqual(directive(self.config, "limit_conn"),
                         "per_client 200")
        self.assertEqual(directive(self.config, "client_max_body_size"), "1m")
        self.assertNotIn("@", self.config)

    def test_nginx_reads_the_config_map_and_writes_only_its_empty_dir(self):
        command = self.proxy["command"]
        config_dir = container_path(self.proxy, "front-proxy-config")
        self.assertEqual(command[command.index("-c") + 1],
                         f"{config_dir}/nginx.conf")
        run_dir = container_path(self.proxy, "front-proxy-run")
        self.assertEqual(command[command.index("-p") + 1], run_dir)
        volumes = {v["name"]: v for v in self.m.pod_spec()["volumes"]}
        self.assertEqual(volumes["front-proxy-config"]["configMap"]["name"],
                         CONFIG_MAP)
        self.assertIn("emptyDir", volumes["front-proxy-run"])
        self.assertEqual(directive(self.config, "pid"),
                         f"{run_dir}/nginx.pid")

    def test_sidecar_is_as_locked_down_as_the_server_and_has_resources(self):
        self.assertEqual(self.proxy["securityContext"],
                         self.server["securityContext"])
        self.assertTrue(
            self.proxy["securityContext"]["readOnlyRootFilesystem"])
        self.assertEqual(self.proxy["resources"]["limits"]["memory"], "128Mi")
        self.assertIn("cpu", self.proxy["resources"]["requests"])

    def test_probes_reach_the_server_on_loopback_and_readiness_via_nginx(self):
        for probe, service in (("startupProbe", "liveness"),
                               ("livenessProbe", "liveness"),
                               ("readinessProbe", "readiness")):
            command = self.server[probe]["exec"]["command"]
            self.assertIn("--server=127.0.0.1:50052", command)
            self.assertIn(f"--health_service={service}", command)
        self.assertEqual(self.proxy["readinessProbe"]["grpc"],
                         {"port": 50051, "service": "readiness"})
        self.assertEqual(self.proxy["livenessProbe"]["tcpSocket"],
                         {"port": "grpc"})

    def test_nginx_outlives_the_servers_drain(self):
        values = chart.yaml.safe_load(
            (chart.CHART / "values.yaml").read_text())
        server_done = (values["preStopSleepSeconds"]
                       + values["server"]["drainDelaySeconds"]
                       + values["server"]["shutdownGraceSeconds"])
        command = self.proxy["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(command, ["/bin/sleep", str(server_done)])
        self.assertLess(server_done,
                        self.m.pod_spec()["terminationGracePeriodSeconds"])

    def test_a_config_change_rolls_the_pods(self):
        other = chart.render([CI_FRONT_PROXY],
                             ["frontProxy.upstreamPort=50053"])
        annotations = self.m.deployment()["spec"]["template"]["metadata"][
            "annotations"]
        self.assertNotEqual(
            annotations["checksum/front-proxy"],
            other.deployment()["spec"]["template"]["metadata"]["annotations"][
                "checksum/front-proxy"])
        self.assertEqual(other.flag("listen"), "127.0.0.1:50053")

    def test_refused_with_the_tls_listener(self):
        result = chart.helm(*chart.template_args(
            [chart.CI_VALUES / "tls-listener-values.yaml"],
            ["frontProxy.enabled=true"]))
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("frontProxy.enabled needs the plaintext listener",
                      result.stderr)

    def test_works_with_a_mesh_forwarded_client_certificate(self):
        m = chart.render([CI_FRONT_PROXY],
                         ["issuance.trustForwardedClientCert=true"])
        self.assertIn("--trust_forwarded_client_cert", m.server_args())
        self.assertEqual(m.flag("listen"), "127.0.0.1:50052")


if __name__ == "__main__":
    unittest.main()
