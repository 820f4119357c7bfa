#!/usr/bin/python3
"""The chart on real clusters, rendered by the pinned helm: platforms
(OpenShift, GKE with NodeLocal DNSCache and Managed Prometheus), meshes
(appProtocol), certificates (cert-manager, rotation settings, the probes'
client credential), unsafe combinations refused at render, alerts that keep
their routing labels, and the bitnami-style extension points (extraObjects,
commonLabels/commonAnnotations, Service source ranges, ServiceMonitor
relabelings, per-alert toggles and runbook links)."""

import pathlib
import re
import tempfile
import unittest

import chart
from chart import CI_VALUES, NAMESPACE, RELEASE

FULLNAME = f"{RELEASE}-vercel-user-tokens"
RUNBOOKS = chart.REPO / "docs" / "runbooks.md"


def refusal(*set_values, values_files=()):
    """helm template's stderr; fails when the render succeeds."""
    result = chart.helm(*chart.template_args(values_files, set_values))
    assert result.returncode != 0, f"rendered: {set_values}"
    return result.stderr


def metrics_peers(m):
    (rule,) = [r for r in m.get("NetworkPolicy")["spec"]["ingress"]
               if r["ports"] == [{"port": "metrics", "protocol": "TCP"}]]
    return rule["from"]


def admits_namespace(peers, namespace):
    """Whether some peer selects every pod of `namespace` by its name
    label, as the API server evaluates matchLabels/matchExpressions."""
    for peer in peers:
        selector = peer.get("namespaceSelector")
        if selector is None or "podSelector" in peer:
            continue
        labels = {"kubernetes.io/metadata.name": namespace}
        ok = all(labels.get(k) == v
                 for k, v in selector.get("matchLabels", {}).items())
        for e in selector.get("matchExpressions", []):
            assert e["operator"] == "In", e
            ok = ok and labels.get(e["key"]) in e["values"]
        if ok:
            return True
    return False


def dns_peers(m):
    (rule,) = [r for r in m.get("NetworkPolicy")["spec"]["egress"]
               if any(p["protocol"] == "UDP" for p in r["ports"])]
    return rule["to"]


def alert_rules(m):
    return {r["alert"]: r for g in m.get("PrometheusRule")["spec"]["groups"]
            for r in g["rules"]}


def github_anchors(path):
    return {re.sub(r"[^\w\- ]", "", line[3:].strip().lower()).replace(" ", "-")
            for line in pathlib.Path(path).read_text().splitlines()
            if line.startswith("## ")}


class PlatformsTest(unittest.TestCase):

    def test_default_scrapers_include_openshift_and_gke_managed_prometheus(self):
        for values in ([], [CI_VALUES / "openshift-values.yaml"],
                       [CI_VALUES / "gke-values.yaml"]):
            peers = metrics_peers(chart.render(values))
            for namespace in ("monitoring", "openshift-user-workload-monitoring",
                              "gmp-system"):
                with self.subTest(values=values, namespace=namespace):
                    self.assertTrue(admits_namespace(peers, namespace), peers)

    def test_gke_resolves_through_node_local_dns_cache_by_default(self):
        for values in ([], [CI_VALUES / "gke-values.yaml"]):
            peers = dns_peers(chart.render(values))
            self.assertIn({"ipBlock": {"cidr": "169.254.20.10/32"}}, peers)
            self.assertIn({"ipBlock": {"cidr": "169.254.169.254/32"}}, peers)

    def test_gke_managed_prometheus_gets_a_pod_monitoring(self):
        m = chart.render([CI_VALUES / "gke-values.yaml"])
        monitoring = m.get("PodMonitoring", FULLNAME)
        self.assertEqual(monitoring["apiVersion"],
                         "monitoring.googleapis.com/v1")
        selector = monitoring["spec"]["selector"]["matchLabels"]
        pod_labels = m.deployment()["spec"]["template"]["metadata"]["labels"]
        self.assertLessEqual(selector.items(), pod_labels.items())
        self.assertEqual(monitoring["spec"]["endpoints"][0]["port"], "metrics")

    def test_openshift_scrapes_and_alerts_from_user_workload_monitoring(self):
        m = chart.render([CI_VALUES / "openshift-values.yaml"])
        self.assertEqual(m.get("ServiceMonitor")["spec"]["endpoints"][0]["port"],
                         "metrics")
        self.assertIn("VercelUserTokensMetricsAbsent", alert_rules(m))
        (dns,) = dns_peers(m)
        self.assertEqual(dns["namespaceSelector"]["matchLabels"],
                         {"kubernetes.io/metadata.name": "openshift-dns"})


class AppProtocolTest(unittest.TestCase):

    def app_protocols(self, m):
        return {s["metadata"]["name"]: s["spec"]["ports"][0]["appProtocol"]
                for s in m.of_kind("Service")
                if s["spec"]["ports"][0]["name"] == "grpc"}

    def test_plaintext_listener_is_grpc(self):
        m = chart.render(set_values=["service.headless.enabled=true"])
        self.assertEqual(self.app_protocols(m), {
            FULLNAME: "grpc", f"{FULLNAME}-headless": "grpc"})

    def test_tls_listener_is_tls_as_istio_reads_it(self):
        # Istio reads `grpc` as HTTP/2 in clear text and would parse the
        # listener's TLS bytes as HTTP; `https` is TLS the pod terminates.
        m = chart.render([CI_VALUES / "tls-listener-values.yaml"],
                         ["service.headless.enabled=true"])
        self.assertEqual(self.app_protocols(m), {
            FULLNAME: "https", f"{FULLNAME}-headless": "https"})


class CertificatesTest(unittest.TestCase):

    def test_cert_manager_certificate_for_the_service_names(self):
        m = chart.render([CI_VALUES / "cert-manager-values.yaml"])
        cert = m.get("Certificate", FULLNAME)
        self.assertEqual(cert["apiVersion"], "cert-manager.io/v1")
        spec = cert["spec"]
        self.assertEqual(spec["issuerRef"], {
            "name": "cluster-ca", "kind": "ClusterIssuer",
            "group": "cert-manager.io"})
        self.assertEqual(spec["secretName"], f"{FULLNAME}-tls")
        for name in (FULLNAME, f"{FULLNAME}.{NAMESPACE}.svc",
                     f"{FULLNAME}.{NAMESPACE}.svc.cluster.local",
                     f"{FULLNAME}-headless.{NAMESPACE}.svc",
                     "tokens.internal.example.com"):
            self.assertIn(name, spec["dnsNames"])
        # The probes present this certificate to a listener that requires
        # client certificates, so it must be good for client auth too.
        self.assertIn("server auth", spec["usages"])
        self.assertIn("client auth", spec["usages"])
        # The pod mounts the Secret cert-manager writes.
        (volume,) = [v for v in m.pod_spec()["volumes"] if v["name"] == "tls"]
        self.assertIn(f"{FULLNAME}-tls", m.secret_items(volume))

    def test_client_auth_is_asked_for_only_when_the_probes_need_it(self):
        m = chart.render(set_values=[
            "tls.enabled=true", "tls.certManager.enabled=true",
            "tls.certManager.issuerRef.name=ca"])
        self.assertNotIn("client auth", m.get("Certificate")["spec"]["usages"])
        m = chart.render([CI_VALUES / "cert-manager-values.yaml"], [
            "issuance.clientCa.probeClientSecret=probe-client"])
        self.assertNotIn("client auth", m.get("Certificate")["spec"]["usages"])

    def test_serving_certificate_without_client_auth_fails_at_install(self):
        stderr = refusal("tls.enabled=true", "tls.existingSecret=tls",
                         "issuance.clientCa.existingSecret=ca")
        self.assertIn("issuance.clientCa.probeClientSecret", stderr)
        self.assertIn("clientAuth", stderr)
        # Either acknowledgement renders.
        chart.render(set_values=["tls.enabled=true", "tls.existingSecret=tls",
                                 "issuance.clientCa.existingSecret=ca",
                                 "tls.servingCertificateHasClientAuth=true"])

    def test_cert_manager_needs_an_issuer(self):
        stderr = refusal("tls.enabled=true", "tls.certManager.enabled=true")
        self.assertIn("tls.certManager.issuerRef.name", stderr)

    def test_reload_interval_follows_the_value(self):
        m = chart.render([CI_VALUES / "tls-listener-values.yaml"])
        self.assertEqual(m.flag("tls_reload_interval"), "1s")
        m = chart.render([CI_VALUES / "tls-listener-values.yaml"], [
            "tls.reloadIntervalSeconds=5", "probes.liveness.timeoutSeconds=7",
            "probes.readiness.timeoutSeconds=7",
            "probes.startup.timeoutSeconds=7"])
        self.assertEqual(m.flag("tls_reload_interval"), "5s")
        self.assertIsNone(chart.render().flag("tls_reload_interval"))

    def test_probes_wait_for_the_listener_within_their_timeout(self):
        # Across a rotation the server may present the old certificate for
        # up to the reload interval; the probe retries within its timeout.
        m = chart.render([CI_VALUES / "tls-listener-values.yaml"])
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            p = m.server_container()[probe]
            self.assertIn("--wait_for_ready", p["exec"]["command"])
            self.assertGreaterEqual(
                p["timeoutSeconds"], int(m.flag("tls_reload_interval")[:-1]) + 2)
        stderr = refusal("probes.liveness.timeoutSeconds=2",
                         values_files=[CI_VALUES / "tls-listener-values.yaml"])
        self.assertIn("probes.liveness.timeoutSeconds (2) must be at least "
                      "tls.reloadIntervalSeconds + 2 (3)", stderr)


class UnsafeCombinationsTest(unittest.TestCase):

    PUBLIC = ("service.type=LoadBalancer", "vercelToken.value=t",
              "networkPolicy.enabled=false")

    def test_public_plaintext_load_balancer_with_server_token(self):
        stderr = refusal(*self.PUBLIC)
        self.assertIn("service.loadBalancerSourceRanges", stderr)
        self.assertIn("service.acknowledgeUnrestrictedPlaintextLoadBalancer",
                      stderr)

    def test_source_ranges_or_acknowledgement_render(self):
        m = chart.render(set_values=[
            *self.PUBLIC, "service.loadBalancerSourceRanges={10.1.0.0/16}",
            "service.externalTrafficPolicy=Local"])
        spec = m.get("Service", FULLNAME)["spec"]
        self.assertEqual(spec["loadBalancerSourceRanges"], ["10.1.0.0/16"])
        self.assertEqual(spec["externalTrafficPolicy"], "Local")
        chart.render(set_values=[
            *self.PUBLIC,
            "service.acknowledgeUnrestrictedPlaintextLoadBalancer=true"])

    def test_cluster_ip_carries_no_load_balancer_fields(self):
        spec = chart.render(set_values=[
            "service.loadBalancerSourceRanges={10.1.0.0/16}",
            "service.externalTrafficPolicy=Local"]).get(
                "Service", FULLNAME)["spec"]
        self.assertNotIn("loadBalancerSourceRanges", spec)
        self.assertNotIn("externalTrafficPolicy", spec)

    def test_percentage_budget_that_keeps_every_pod(self):
        stderr = refusal("replicaCount=1",
                         "podDisruptionBudget.minAvailable=50%")
        self.assertIn("podDisruptionBudget.minAvailable (50%)", stderr)
        stderr = refusal("podDisruptionBudget.maxUnavailable=10%")
        self.assertIn("podDisruptionBudget.maxUnavailable (10%)", stderr)
        # Percentages that leave a pod to evict render.
        chart.render(set_values=["replicaCount=3",
                                 "podDisruptionBudget.minAvailable=50%"])
        chart.render(set_values=["replicaCount=10",
                                 "podDisruptionBudget.maxUnavailable=10%"])

    def test_extra_ingress_rule_without_from(self):
        stderr = refusal("networkPolicy.extraIngress[0].ports[0].port=15020")
        self.assertIn("networkPolicy.extraIngress[0] has no `from`", stderr)


class AlertsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render(set_values=["prometheusRule.enabled=true"])
        cls.rules = alert_rules(cls.m)

    def test_every_alert_keeps_namespace_and_job(self):
        for name, rule in self.rules.items():
            with self.subTest(alert=name):
                expr = rule["expr"]
                for by in re.findall(r"\bby \(([^)]*)\)", expr):
                    labels = {s.strip() for s in by.split(",")}
                    self.assertLessEqual({"namespace", "job"}, labels, expr)
                if "absent(" in expr:
                    # absent() takes its labels from the selector's
                    # equality matchers.
                    self.assertIn(f'namespace="{NAMESPACE}"', expr)
                    self.assertIn(f'job="{FULLNAME}-metrics"', expr)
        for name in ("VercelUserTokensUpstreamUnreachable",
                     "VercelUserTokensPolicyReloadFailed",
                     "VercelUserTokensOrphanRevokeFailed"):
            self.assertIn("by (namespace, job, pod)", self.rules[name]["expr"])

    def test_every_alert_links_its_runbook_section(self):
        anchors = github_anchors(RUNBOOKS)
        for name, rule in self.rules.items():
            with self.subTest(alert=name):
                url = rule["annotations"]["runbook_url"]
                base, anchor = url.split("#")
                self.assertTrue(base.endswith("/docs/runbooks.md"), url)
                self.assertEqual(anchor, name.lower())
                self.assertIn(anchor, anchors)

    def test_each_alert_can_be_turned_off_or_given_a_severity(self):
        m = chart.render(set_values=[
            "prometheusRule.enabled=true",
            "prometheusRule.alerts.VercelUserTokensSlowCalls.enabled=false",
            "prometheusRule.alerts.VercelUserTokensRateLimited.severity=info",
            "prometheusRule.runbookBaseUrl=https://wiki.example/runbooks"])
        rules = alert_rules(m)
        self.assertNotIn("VercelUserTokensSlowCalls", rules)
        self.assertEqual(len(rules), len(self.rules) - 1)
        self.assertEqual(
            rules["VercelUserTokensRateLimited"]["labels"]["severity"], "info")
        self.assertEqual(
            rules["VercelUserTokensErrorRatio"]["labels"]["severity"],
            "warning")
        self.assertEqual(
            rules["VercelUserTokensOrphanRevokeFailed"]["labels"]["severity"],
            "critical")
        self.assertEqual(
            rules["VercelUserTokensErrorRatio"]["annotations"]["runbook_url"],
            "https://wiki.example/runbooks#vercelusertokenserrorratio")

    def test_a_misspelt_alert_name_is_refused(self):
        stderr = refusal("prometheusRule.enabled=true",
                         "prometheusRule.alerts.VercelUserTokensSlow.enabled=false")
        self.assertIn("VercelUserTokensSlow", stderr)

    def test_an_absent_alert_notices_when_nothing_scrapes(self):
        rule = self.rules["VercelUserTokensMetricsAbsent"]
        self.assertEqual(
            rule["expr"],
            f'absent(vercel_tokens_build_info{{namespace="{NAMESPACE}", '
            f'job="{FULLNAME}-metrics"}})')
        self.assertEqual(rule["for"], "15m")


class ExtensionPointsTest(unittest.TestCase):

    def test_extra_objects_are_rendered_through_tpl(self):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as values:
            values.write(
                "extraObjects:\n"
                "  - apiVersion: v1\n    kind: ConfigMap\n"
                "    metadata: {name: '{{ .Release.Name }}-extra'}\n"
                "  - |\n    apiVersion: v1\n    kind: Secret\n"
                "    metadata: {name: {{ include \"vut.fullname\" . }}-x}\n")
            values.flush()
            m = chart.render([values.name])
        self.assertEqual(m.get("ConfigMap", f"{RELEASE}-extra")["kind"],
                         "ConfigMap")
        self.assertEqual(m.get("Secret")["metadata"]["name"], f"{FULLNAME}-x")

    def test_common_labels_and_annotations_reach_every_object(self):
        m = chart.render([CI_VALUES / "cert-manager-values.yaml"], [
            "prometheusRule.enabled=true", "grafanaDashboard.enabled=true",
            "metrics.serviceMonitor.enabled=true", "vercelToken.value=t",
            "service.annotations.own=kept",
            "serviceAccount.annotations.iam=role"])
        self.assertGreaterEqual(len(m.objects), 14)
        for o in m.objects:
            with self.subTest(kind=o["kind"], name=o["metadata"]["name"]):
                self.assertEqual(o["metadata"]["labels"]["team"], "platform")
                self.assertEqual(o["metadata"]["annotations"]["owner"],
                                 "platform@example.com")
        self.assertEqual(
            m.get("Service", FULLNAME)["metadata"]["annotations"]["own"],
            "kept")
        self.assertEqual(
            m.get("ServiceAccount")["metadata"]["annotations"]["iam"], "role")
        for pod in m.test_pods():
            self.assertEqual(pod["metadata"]["annotations"]["helm.sh/hook"],
                             "test")

    def test_no_annotations_key_without_annotations(self):
        for o in chart.render().objects:
            if o["kind"] != "Pod":
                self.assertNotIn("annotations", o["metadata"],
                                 o["metadata"]["name"])

    def test_service_monitor_relabelings(self):
        m = chart.render(set_values=[
            "metrics.serviceMonitor.enabled=true",
            "metrics.serviceMonitor.relabelings[0].targetLabel=team",
            "metrics.serviceMonitor.relabelings[0].replacement=platform",
            "metrics.serviceMonitor.metricRelabelings[0].action=drop",
            "metrics.serviceMonitor.metricRelabelings[0].regex="
            "vercel_tokens_upstream_request_duration_seconds_bucket",
        ])
        (endpoint,) = m.get("ServiceMonitor")["spec"]["endpoints"]
        self.assertEqual(endpoint["relabelings"],
                         [{"targetLabel": "team", "replacement": "platform"}])
        self.assertEqual(endpoint["metricRelabelings"][0]["action"], "drop")


class HelmTestTest(unittest.TestCase):

    def test_issuance_example_gives_the_test_client_a_rule(self):
        m = chart.render([CI_VALUES / "issuance-values.yaml"])
        policy = chart.yaml.safe_load(
            m.get("ConfigMap", f"{FULLNAME}-policy")["data"]["policy.json"])
        rule = policy["rules"][-1]
        self.assertEqual(rule,
                         {"callers": ["cn:vercel-user-tokens-test-client"],
                          "allowed_rpcs": ["GetAuthToken"],
                          "use_server_token": False})

    def test_a_denied_test_says_why(self):
        script = chart.render().test_pod("upstream")["spec"]["containers"][0][
            "command"][2]
        self.assertIn("reason: POLICY_DENIED", script)
        self.assertIn("issuance.clientCa.testClientIdentity", script)


if __name__ == "__main__":
    unittest.main()
