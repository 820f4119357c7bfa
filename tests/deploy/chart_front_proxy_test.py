#!/usr/bin/python3
"""frontProxy.enabled (on by default; ci/front-proxy-values.yaml): nginx
from the server's image in front of the server, with the config of
files/front-proxy.conf.in, the file tests/attacks/front_proxy_test.py and
front_proxy_tls_test.py attack through. The server listens on loopback
only; the Service, the NetworkPolicy and the kubelet's probes reach the pod
through nginx's port. With tls.enabled nginx terminates TLS (and, with
issuance.clientCa, mutual TLS) with the pod's Secrets, reloads them through
files/front-proxy-run.sh, and the server trusts the x-forwarded-client-cert
nginx writes."""

import re
import sys
import unittest

import chart

sys.path.insert(0, str(chart.REPO / "tests" / "attacks"))
import h2_attacks as attacks  # noqa: E402

CI_FRONT_PROXY = chart.CI_VALUES / "front-proxy-values.yaml"
TEMPLATE = chart.CHART / "files" / "front-proxy.conf.in"
RUN_SCRIPT = chart.CHART / "files" / "front-proxy-run.sh"
CONFIG_MAP = f"{chart.RELEASE}-vercel-user-tokens-front-proxy"


def render_template(mode, LISTEN, UPSTREAM, DIR, TLS_CERT=None, TLS_KEY=None,
                    CLIENT_CA=None):
    """files/front-proxy.conf.in rendered by the very function
    tests/attacks renders it with before attacking it."""
    return attacks.render_front_proxy(
        str(TEMPLATE), LISTEN, UPSTREAM, DIR, mode=mode, tls_cert=TLS_CERT,
        tls_key=TLS_KEY, client_ca=CLIENT_CA)


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

    def test_on_by_default_the_server_listens_on_loopback(self):
        m = chart.render()
        self.assertIsNotNone(m.front_proxy_container())
        self.assertEqual(m.flag("listen"), "127.0.0.1:50052")
        self.assertEqual(m.get("ConfigMap", CONFIG_MAP)["kind"], "ConfigMap")

    def test_off_the_server_listens_on_the_pod_address(self):
        m = chart.render(set_values=["frontProxy.enabled=false"])
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
        expected = render_template(
            "plain", LISTEN="0.0.0.0:50051", UPSTREAM="127.0.0.1:50052",
            DIR=container_path(self.proxy, "front-proxy-run"))
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
        self.assertNotRegex(self.config, r"@[A-Z_]+@")
        # Plaintext: a mesh sidecar's x-forwarded-client-cert passes on.
        self.assertNotIn("ssl", self.config)
        self.assertNotIn("x-forwarded-client-cert", self.config)
        self.assertNotRegex(self.config, r"#(plain|tls|mtls)#")

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

    def test_works_with_a_mesh_forwarded_client_certificate(self):
        m = chart.render([CI_FRONT_PROXY],
                         ["issuance.trustForwardedClientCert=true"])
        self.assertIn("--trust_forwarded_client_cert", m.server_args())
        self.assertEqual(m.flag("listen"), "127.0.0.1:50052")


class TlsFrontProxyTest(unittest.TestCase):
    """tls.enabled without client CAs: nginx terminates TLS."""

    VALUES = [chart.CI_VALUES / "tls-listener-values.yaml"]
    SET = ["frontProxy.enabled=true", "tls.reloadIntervalSeconds=1"]
    MODE = "tls"

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render(cls.VALUES, cls.SET)
        cls.server = cls.m.server_container()
        cls.proxy = cls.m.front_proxy_container()
        cls.data = cls.m.get("ConfigMap", CONFIG_MAP)["data"]
        cls.config = cls.data["nginx.conf"]

    def tls_dir(self):
        return container_path(self.proxy, "tls")

    def test_config_is_the_attacked_file_in_its_tls_mode(self):
        expected = render_template(
            self.MODE, LISTEN="0.0.0.0:50051", UPSTREAM="127.0.0.1:50052",
            DIR=container_path(self.proxy, "front-proxy-run"),
            TLS_CERT=f"{self.tls_dir()}/tls.crt",
            TLS_KEY=f"{self.tls_dir()}/tls.key",
            CLIENT_CA="/var/run/vercel-user-tokens/client-ca/ca.crt")
        self.assertTrue(expected.endswith(self.config), self.config)
        self.assertEqual(directive(self.config, "listen"),
                         "0.0.0.0:50051 ssl http2")
        self.assertEqual(directive(self.config, "ssl_certificate"),
                         f"{self.tls_dir()}/tls.crt")
        self.assertEqual(directive(self.config, "ssl_certificate_key"),
                         f"{self.tls_dir()}/tls.key")
        # nginx alone writes x-forwarded-client-cert: the verified
        # certificate, or none at all.
        self.assertEqual(
            directive(self.config, "grpc_set_header"),
            "x-forwarded-client-cert $vut_forwarded_client_cert")
        self.assertIn('SUCCESS "Cert=\\"$ssl_client_escaped_cert\\"";',
                      self.config)
        self.assertNotRegex(self.config, r"@[A-Z_]+@")
        self.assertNotRegex(self.config, r"#(plain|tls|mtls)#")

    def test_client_certificates_are_asked_for_with_client_cas_only(self):
        if self.MODE == "tls":
            self.assertNotIn("ssl_verify_client", self.config)
            self.assertNotIn("ssl_client_certificate", self.config)
        else:
            ca_dir = container_path(self.proxy, "client-ca")
            self.assertEqual(
                directive(self.config, "ssl_client_certificate"),
                f"{ca_dir}/ca.crt")
            self.assertEqual(directive(self.config, "ssl_verify_client"),
                             "on")

    def test_server_serves_plaintext_on_loopback_and_trusts_nginx(self):
        self.assertEqual(self.m.flag("listen"), "127.0.0.1:50052")
        self.assertIn("--trust_forwarded_client_cert", self.m.server_args())
        for flag in ("tls_cert_file", "tls_key_file", "tls_client_ca_file",
                     "tls_reload_interval"):
            self.assertIsNone(self.m.flag(flag), flag)
        # The server no longer holds the serving key.
        mounts = [v["name"] for v in self.server.get("volumeMounts", [])]
        self.assertNotIn("tls", mounts)
        self.assertNotIn("client-ca", mounts)

    def test_nginx_reloads_changed_certificates_without_a_restart(self):
        command = self.proxy["command"]
        config_dir = container_path(self.proxy, "front-proxy-config")
        self.assertEqual(command[:3], ["/bin/sh",
                                       f"{config_dir}/front-proxy-run.sh",
                                       "1"])
        watched = command[3:command.index("--")]
        expected = [f"{self.tls_dir()}/tls.crt", f"{self.tls_dir()}/tls.key"]
        if self.MODE == "mtls":
            expected.append(
                f"{container_path(self.proxy, 'client-ca')}/ca.crt")
        self.assertEqual(watched, expected)
        self.assertEqual(command[command.index("-c") + 1],
                         f"{config_dir}/nginx.conf")
        self.assertEqual(self.data["front-proxy-run.sh"],
                         RUN_SCRIPT.read_text())
        volumes = {v["name"]: v for v in self.m.pod_spec()["volumes"]}
        self.assertIn({"key": "front-proxy-run.sh",
                       "path": "front-proxy-run.sh"},
                      volumes["front-proxy-config"]["configMap"]["items"])

    def test_readiness_goes_through_nginx_over_tls(self):
        command = self.proxy["readinessProbe"]["exec"]["command"]
        self.assertEqual(command[:4], ["/usr/local/bin/vercel-tokens",
                                      "health", "--health_service=readiness",
                                      "--tls"])
        self.assertIn("--server=localhost:50051", command)
        self.assertIn(
            f"--tls_server_name={chart.RELEASE}-vercel-user-tokens."
            f"{chart.NAMESPACE}.svc", command)
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            self.assertIn("--server=127.0.0.1:50052",
                          self.server[probe]["exec"]["command"])


class MutualTlsFrontProxyTest(TlsFrontProxyTest):
    """ci/issuance-values.yaml (on by default there): nginx requires and
    verifies client certificates."""

    VALUES = [chart.CI_VALUES / "issuance-values.yaml"]
    SET = ["tls.reloadIntervalSeconds=1"]
    MODE = "mtls"


if __name__ == "__main__":
    unittest.main()
