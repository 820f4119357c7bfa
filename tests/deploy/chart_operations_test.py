#!/usr/bin/python3
"""What operators of real clusters set, rendered by the pinned helm: DNS
egress for node-local, link-local and OpenShift resolvers, extra
NetworkPolicy rules for meshes and proxies, drain and keepalive flags, extra
environment, test-pod placement, certificates whose CA is optional, the
PrometheusRule and the Grafana dashboard (whose every query must name a
metric the server exports)."""

import json
import re
import unittest

import chart
from chart import CI_VALUES, NAMESPACE, RELEASE

FULLNAME = f"{RELEASE}-vercel-user-tokens"
SERVER_SOURCES = chart.REPO / "server"
DASHBOARD = chart.CHART / "dashboards" / "vercel-user-tokens.json"


def exported_metrics():
    """The series names the server exposes, read from its code (tests left
    out): each registered family, and a histogram's _bucket, _sum and
    _count."""
    source = "\n".join(p.read_text() for p in SERVER_SOURCES.rglob("*.cc")
                        if not p.name.endswith("_test.cc"))
    names = set()
    for builder, name in re.findall(
            r"prometheus::Build(Counter|Gauge|Histogram)\(\)\s*\.Name\(\"(\w+)\"\)",
            source):
        names.add(name)
        if builder == "Histogram":
            names.update(f"{name}_{s}" for s in ("bucket", "sum", "count"))
    assert len(names) >= 7, names
    return names


def metrics_named(expr):
    return set(re.findall(r"\b(?:vercel_tokens|process)_\w+", expr))


def dns_rule(m):
    """The NetworkPolicy's egress rule whose ports are UDP (DNS)."""
    egress = m.get("NetworkPolicy")["spec"]["egress"]
    (rule,) = [r for r in egress
               if any(p["protocol"] == "UDP" for p in r["ports"])]
    return rule


class DnsEgressTest(unittest.TestCase):

    def test_default_is_kube_dns_node_local_cache_and_cloud_dns_on_53(self):
        rule = dns_rule(chart.render())
        self.assertEqual(sorted((p["port"], p["protocol"])
                                for p in rule["ports"]),
                         [(53, "TCP"), (53, "UDP")])
        kube_dns, node_local, cloud_dns = rule["to"]
        self.assertEqual(kube_dns["podSelector"]["matchLabels"],
                         {"k8s-app": "kube-dns"})
        # GKE: NodeLocal DNSCache (always on Autopilot, default on Standard
        # from 1.33.1) and Cloud DNS answer on link-local addresses.
        self.assertEqual(node_local, {"ipBlock": {"cidr": "169.254.20.10/32"}})
        self.assertEqual(cloud_dns, {"ipBlock": {"cidr": "169.254.169.254/32"}})

    def test_node_local_cache_is_reachable(self):
        rule = dns_rule(chart.render([CI_VALUES / "node-local-dns-values.yaml"]))
        self.assertIn({"ipBlock": {"cidr": "169.254.20.10/32"}}, rule["to"])

    def test_link_local_resolver_is_reachable(self):
        rule = dns_rule(chart.render(set_values=[
            "networkPolicy.egress.dnsTo[0].ipBlock.cidr=169.254.169.254/32"]))
        self.assertEqual(rule["to"],
                         [{"ipBlock": {"cidr": "169.254.169.254/32"}}])

    def test_openshift_dns_answers_on_5353(self):
        rule = dns_rule(chart.render([CI_VALUES / "openshift-values.yaml"]))
        self.assertEqual(sorted((p["port"], p["protocol"])
                                for p in rule["ports"]),
                         [(5353, "TCP"), (5353, "UDP")])
        self.assertEqual(rule["to"][0]["namespaceSelector"]["matchLabels"],
                         {"kubernetes.io/metadata.name": "openshift-dns"})


class MeshAndProxyTest(unittest.TestCase):
    """ci/node-local-dns-values.yaml: Istio, an egress proxy, alerts."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "node-local-dns-values.yaml"])

    def test_extra_rules_are_added_to_the_policy(self):
        spec = self.m.get("NetworkPolicy")["spec"]
        egress_ports = [p["port"] for r in spec["egress"] for p in r["ports"]]
        self.assertIn(3128, egress_ports)
        self.assertIn(15012, egress_ports)
        ingress_ports = [p["port"] for r in spec["ingress"] for p in r["ports"]]
        self.assertIn(15020, ingress_ports)
        self.assertIn("grpc", ingress_ports)

    def test_proxy_variables_reach_the_server(self):
        env = {e["name"]: e["value"]
               for e in self.m.server_container()["env"]}
        self.assertEqual(env["HTTPS_PROXY"], "http://proxy.corp.example:3128")
        self.assertEqual(env["NO_PROXY"], ".svc,.cluster.local")

    def test_pod_and_test_pod_annotations_and_placement(self):
        annotations = self.m.deployment()["spec"]["template"]["metadata"][
            "annotations"]
        self.assertIn("proxy.istio.io/config", annotations)
        for pod in self.m.test_pods():
            with self.subTest(pod=pod["metadata"]["name"]):
                self.assertEqual(
                    pod["metadata"]["annotations"]["sidecar.istio.io/inject"],
                    "false")
                self.assertEqual(pod["spec"]["nodeSelector"],
                                 {"kubernetes.io/os": "linux"})
                self.assertEqual(pod["spec"]["tolerations"][0]["key"],
                                 "dedicated")

    def test_drain_and_keepalive_follow_the_values(self):
        self.assertEqual(self.m.flag("drain_delay"), "3s")
        self.assertEqual(self.m.flag("keepalive_min_ping_interval"), "5s")
        defaults = chart.render()
        self.assertEqual(defaults.flag("drain_delay"), "0s")
        self.assertEqual(defaults.flag("keepalive_time"), "60s")
        self.assertEqual(defaults.flag("keepalive_timeout"), "20s")
        self.assertEqual(defaults.flag("keepalive_min_ping_interval"), "10s")
        self.assertEqual(defaults.flag("keepalive_permit_without_calls"),
                         "true")


class ProbesTest(unittest.TestCase):

    def test_a_startup_probe_holds_the_others_off(self):
        for m in (chart.render(),
                  chart.render(set_values=["frontProxy.enabled=false"])):
            startup = m.server_container()["startupProbe"]
            if m.front_proxy_container() is None:
                self.assertEqual(startup["grpc"]["service"], "liveness")
            else:
                self.assertIn("--health_service=liveness",
                              startup["exec"]["command"])
            self.assertGreaterEqual(
                startup["periodSeconds"] * startup["failureThreshold"], 30)


class CertificateTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "tls-listener-values.yaml"])

    def test_a_secret_without_a_ca_does_not_keep_the_pod_from_starting(self):
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == "tls"]
        sources = [s["secret"] for s in volume["projected"]["sources"]]
        required = [s for s in sources if not s.get("optional")]
        optional = [s for s in sources if s.get("optional")]
        self.assertEqual([i["key"] for s in required for i in s["items"]],
                         ["tls.crt", "tls.key"])
        self.assertEqual([i["key"] for s in optional for i in s["items"]],
                         ["ca.crt"])
        test_volume = self.m.test_pod()["spec"]["volumes"][0]["secret"]
        self.assertIs(test_volume["optional"], True)

    def test_probes_and_tests_check_the_name_clients_use(self):
        name = f"--tls_server_name={FULLNAME}.{NAMESPACE}.svc"
        self.assertIn(name,
                      self.m.server_container()["livenessProbe"]["exec"][
                          "command"])
        for pod in self.m.test_pods():
            self.assertIn(name, pod["spec"]["containers"][0]["command"])
        custom = chart.render([CI_VALUES / "tls-listener-values.yaml"],
                              ["tls.serverName=tokens.example.com"])
        self.assertIn(
            "--tls_server_name=tokens.example.com",
            custom.server_container()["readinessProbe"]["exec"]["command"])


class HelmTestTest(unittest.TestCase):

    def test_one_real_call_must_come_back_from_vercel(self):
        m = chart.render()
        (container,) = m.test_pod("upstream")["spec"]["containers"]
        command = container["command"]
        self.assertEqual(command[:2], ["/bin/sh", "-c"])
        self.assertIn("get current", command[2])
        self.assertIn("domain: api.vercel.com", command[2])
        self.assertIn(f"--server={FULLNAME}.{NAMESPACE}.svc:50051", command)
        self.assertNotIn("env", container)

    def test_it_can_be_left_out(self):
        m = chart.render(set_values=["test.upstream=false"])
        self.assertEqual([p["metadata"]["name"] for p in m.test_pods()],
                         [f"{FULLNAME}-test-health"])


class AlertsAndDashboardTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.metrics = exported_metrics()
        cls.m = chart.render([CI_VALUES / "node-local-dns-values.yaml"])

    def test_alerts_cover_reachability_errors_429s_latency_and_more(self):
        rule = self.m.get("PrometheusRule")
        self.assertEqual(rule["metadata"]["labels"]["release"],
                         "kube-prometheus-stack")
        rules = {r["alert"]: r for g in rule["spec"]["groups"]
                 for r in g["rules"]}
        self.assertEqual(sorted(rules), [
            "VercelUserTokensErrorRatio", "VercelUserTokensMetricsAbsent",
            "VercelUserTokensOrphanRevokeFailed",
            "VercelUserTokensPolicyMismatch",
            "VercelUserTokensPolicyReloadFailed",
            "VercelUserTokensRateLimited", "VercelUserTokensSlowCalls",
            "VercelUserTokensUpstreamUnreachable"])
        self.assertIn("vercel_tokens_upstream_reachable",
                      rules["VercelUserTokensUpstreamUnreachable"]["expr"])
        self.assertIn('status="429"',
                      rules["VercelUserTokensRateLimited"]["expr"])
        for name, r in rules.items():
            with self.subTest(alert=name):
                named = metrics_named(r["expr"])
                self.assertTrue(named)
                self.assertLessEqual(named, self.metrics)
                self.assertIn(f'job="{FULLNAME}-metrics"', r["expr"])

    def test_dashboard_is_valid_json_querying_only_exported_metrics(self):
        dashboard = json.loads(DASHBOARD.read_text())
        exprs = [t["expr"] for p in dashboard["panels"]
                 for t in p.get("targets", [])]
        exprs += [v["definition"] for v in dashboard["templating"]["list"]
                  if "definition" in v]
        self.assertGreaterEqual(len(exprs), 10)
        used = set()
        for expr in exprs:
            with self.subTest(expr=expr):
                named = metrics_named(expr)
                self.assertTrue(named, "names no metric")
                self.assertLessEqual(named, self.metrics)
                used |= named
        # Calls by code, latency, in flight, upstream status, retries,
        # reachability.
        for family in ("vercel_tokens_grpc_calls_total",
                       "vercel_tokens_orphaned_tokens_total",
                       "vercel_tokens_grpc_call_duration_seconds_bucket",
                       "vercel_tokens_grpc_calls_in_flight",
                       "vercel_tokens_upstream_requests_total",
                       "vercel_tokens_upstream_retries_total",
                       "vercel_tokens_upstream_reachable"):
            self.assertIn(family, used)

    def test_dashboard_variables_come_from_a_series_that_exists_at_start(self):
        # build_info is set when the server starts; a call counter would not
        # exist until the first call, leaving the dashboard empty.
        variables = [v for v in json.loads(DASHBOARD.read_text())[
            "templating"]["list"] if "definition" in v]
        self.assertEqual([v["name"] for v in variables], ["namespace", "job"])
        for v in variables:
            self.assertEqual(metrics_named(v["definition"]),
                             {"vercel_tokens_build_info"})
            self.assertEqual(v["query"]["query"], v["definition"])

    def test_dashboard_configmap_carries_the_sidecar_label(self):
        (configmap,) = [c for c in self.m.of_kind("ConfigMap")
                        if c["metadata"]["name"] == f"{FULLNAME}-dashboard"]
        self.assertEqual(configmap["metadata"]["labels"]["grafana_dashboard"],
                         "1")
        self.assertEqual(configmap["metadata"]["annotations"],
                         {"grafana_folder": "Platform"})
        self.assertEqual(
            json.loads(configmap["data"]["vercel-user-tokens.json"]),
            json.loads(DASHBOARD.read_text()))

    def test_neither_is_rendered_by_default(self):
        m = chart.render()
        self.assertEqual(m.of_kind("PrometheusRule"), [])
        self.assertEqual([c["metadata"]["name"] for c in m.of_kind("ConfigMap")],
                         [f"{FULLNAME}-front-proxy"])


class SchemaTest(unittest.TestCase):

    def test_recreate_is_accepted_once_rolling_settings_are_nulled(self):
        m = chart.render(set_values=["updateStrategy.type=Recreate",
                                     "updateStrategy.rollingUpdate=null"])
        self.assertEqual(m.deployment()["spec"]["strategy"],
                         {"type": "Recreate"})

    def test_openshift_assigns_the_user_id(self):
        m = chart.render([CI_VALUES / "openshift-values.yaml"])
        psc = m.pod_spec()["securityContext"]
        self.assertNotIn("runAsUser", psc)
        self.assertNotIn("fsGroup", psc)
        self.assertIs(psc["runAsNonRoot"], True)


if __name__ == "__main__":
    unittest.main()
