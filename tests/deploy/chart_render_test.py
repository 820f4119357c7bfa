#!/usr/bin/python3
"""What `helm template` renders for the defaults and each ci/*-values.yaml:
the objects an operator gets, their security settings, probes, the token
Secret's path into the server, the NetworkPolicy, the budgets and labels."""

import base64
import json
import re
import unittest

import chart
from chart import CI_VALUES, NAMESPACE, RELEASE

FULLNAME = f"{RELEASE}-vercel-user-tokens"
SELECTOR = {
    "app.kubernetes.io/name": "vercel-user-tokens",
    "app.kubernetes.io/instance": RELEASE,
    "app.kubernetes.io/component": "server",
}


def parse_seconds(text):
    match = re.fullmatch(r"(\d+)s", text)
    assert match, f"not a whole number of seconds: {text}"
    return int(match.group(1))


def listen_port(address):
    return int(address.rsplit(":", 1)[1])


class EveryValuesFileTest(unittest.TestCase):
    """Holds for the defaults and for every CI values file."""

    @classmethod
    def setUpClass(cls):
        cls.renders = {"defaults": chart.render()}
        for f in chart.ci_values_files():
            cls.renders[f.name] = chart.render([f])

    def test_every_object_carries_the_standard_labels(self):
        expected = {
            "helm.sh/chart": "vercel-user-tokens-" + chart.version(),
            "app.kubernetes.io/name": "vercel-user-tokens",
            "app.kubernetes.io/instance": RELEASE,
            "app.kubernetes.io/version": chart.version(),
            "app.kubernetes.io/managed-by": "Helm",
            "app.kubernetes.io/part-of": "vercel-user-tokens",
        }
        for source, m in self.renders.items():
            for o in m.objects:
                with self.subTest(source=source, kind=o["kind"],
                                  name=o["metadata"]["name"]):
                    labels = o["metadata"]["labels"]
                    self.assertLessEqual(expected.items(), labels.items())
                    self.assertIn("app.kubernetes.io/component", labels)
                    self.assertLessEqual(len(o["metadata"]["name"]), 63)

    def test_selectors_pick_exactly_the_server_pods(self):
        for source, m in self.renders.items():
            with self.subTest(source=source):
                pod_labels = m.deployment()["spec"]["template"]["metadata"][
                    "labels"]
                selector = m.deployment()["spec"]["selector"]["matchLabels"]
                self.assertLessEqual(selector.items(), pod_labels.items())
                for kind in ("Service", "PodDisruptionBudget",
                             "NetworkPolicy"):
                    for o in m.of_kind(kind):
                        spec = o["spec"]
                        sel = spec.get("selector") or spec.get("podSelector")
                        sel = sel.get("matchLabels", sel)
                        self.assertEqual(sel, selector, o["metadata"]["name"])
                # The test pods must never receive the Service's traffic.
                for pod in m.test_pods():
                    test_labels = pod["metadata"]["labels"]
                    self.assertFalse(selector.items() <= test_labels.items())

    def test_pods_run_unprivileged_with_a_read_only_root(self):
        for source, m in self.renders.items():
            for pod in [m.deployment()["spec"]["template"]["spec"]] + [
                    p["spec"] for p in m.test_pods()]:
                with self.subTest(source=source):
                    self.assertEqual(pod["automountServiceAccountToken"],
                                     False)
                    psc = pod["securityContext"]
                    self.assertIs(psc["runAsNonRoot"], True)
                    # OpenShift assigns the user id itself (ci/openshift).
                    self.assertGreater(psc.get("runAsUser", 1), 0)
                    self.assertEqual(psc["seccompProfile"],
                                     {"type": "RuntimeDefault"})
                    for c in pod["containers"]:
                        sc = c["securityContext"]
                        self.assertIs(sc["runAsNonRoot"], True)
                        self.assertIs(sc["readOnlyRootFilesystem"], True)
                        self.assertIs(sc["allowPrivilegeEscalation"], False)
                        self.assertIs(sc["privileged"], False)
                        self.assertEqual(sc["capabilities"], {"drop": ["ALL"]})
                        self.assertEqual(sc["seccompProfile"],
                                         {"type": "RuntimeDefault"})
                        self.assertIn("memory", c["resources"]["limits"])
                        self.assertIn("cpu", c["resources"]["requests"])
                        # The token only ever arrives as a file.
                        self.assertNotIn("VERCEL_TOKEN",
                                         [e["name"] for e in c.get("env", [])])
                        self.assertNotIn("envFrom", c)

    def test_termination_outlasts_the_pre_stop_pause_and_shutdown_grace(self):
        for source, m in self.renders.items():
            with self.subTest(source=source):
                pod = m.pod_spec()
                pre_stop = m.server_container()["lifecycle"]["preStop"]
                command = pre_stop["exec"]["command"]
                self.assertEqual(command[0], "/bin/sleep")
                pause = int(command[1])
                self.assertGreater(pause, 0)
                grace = parse_seconds(m.flag("shutdown_grace"))
                self.assertGreater(pod["terminationGracePeriodSeconds"],
                                   pause + grace)

    def test_connections_age_out_so_clients_rebalance(self):
        for source, m in self.renders.items():
            with self.subTest(source=source):
                age = parse_seconds(m.flag("max_connection_age"))
                self.assertGreaterEqual(age, 60)
                self.assertLessEqual(age, 3600)
                self.assertIsNotNone(m.flag("max_connection_age_grace"))

    def test_probes_check_grpc_health_on_the_listening_port(self):
        for source, m in self.renders.items():
            with self.subTest(source=source):
                port = listen_port(m.flag("listen"))
                container = m.server_container()
                # Behind the front proxy the pod's grpc port is nginx's and
                # the server on loopback is probed by exec
                # (chart_front_proxy_test.py).
                behind_proxy = m.front_proxy_container() is not None
                grpc_ports = [p["containerPort"]
                              for p in container.get("ports", [])
                              if p["name"] == "grpc"]
                self.assertEqual(grpc_ports, [] if behind_proxy else [port])
                for probe, service in (("startupProbe", "liveness"),
                                       ("livenessProbe", "liveness"),
                                       ("readinessProbe", "readiness")):
                    p = container[probe]
                    if behind_proxy:
                        self.assertIn(f"--server={m.flag('listen')}",
                                      p["exec"]["command"])
                    elif m.flag("tls_cert_file") is None:
                        self.assertEqual(p["grpc"], {"port": port,
                                                     "service": service})
                    else:
                        command = p["exec"]["command"]
                        self.assertEqual(command[:4], [
                            "/usr/local/bin/vercel-tokens", "health",
                            f"--health_service={service}", "--tls"])
                        self.assertIn(f"--server=localhost:{port}", command)
                    self.assertGreaterEqual(p["periodSeconds"], 1)
                    self.assertGreaterEqual(p["failureThreshold"], 1)

    def test_rolling_updates_never_drop_below_the_replica_count(self):
        for source, m in self.renders.items():
            with self.subTest(source=source):
                strategy = m.deployment()["spec"]["strategy"]
                self.assertEqual(strategy["type"], "RollingUpdate")
                self.assertEqual(strategy["rollingUpdate"]["maxUnavailable"],
                                 0)
                self.assertGreaterEqual(
                    strategy["rollingUpdate"]["maxSurge"], 1)


class DefaultsTest(unittest.TestCase):
    """The chart as installed without any values."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render()

    def test_objects(self):
        kinds = sorted((o["kind"], o["metadata"]["name"])
                       for o in self.m.objects)
        self.assertEqual(kinds, [
            ("ConfigMap", f"{FULLNAME}-front-proxy"),
            ("Deployment", FULLNAME),
            ("NetworkPolicy", FULLNAME),
            ("Pod", f"{FULLNAME}-test-health"),
            ("Pod", f"{FULLNAME}-test-upstream"),
            ("PodDisruptionBudget", FULLNAME),
            ("Service", FULLNAME),
            ("Service", f"{FULLNAME}-metrics"),
            ("ServiceAccount", FULLNAME),
        ])

    def test_chart_installs_the_image_of_this_version(self):
        # Fully qualified, where each release pushes it (RELEASING.md): a
        # bare name would be pulled from Docker Hub, which has no such image.
        repository = "ghcr.io/vercel-user-tokens/vercel-user-tokens"
        self.assertEqual(self.m.server_container()["image"],
                         f"{repository}:{chart.version()}")
        self.assertIn(f"-t {repository}:X.Y.Z",
                      (chart.REPO / "RELEASING.md").read_text())
        pinned = chart.render(set_values=[
            "image.repository=registry.example/vut",
            "image.digest=sha256:" + "a" * 64])
        self.assertEqual(pinned.server_container()["image"],
                         "registry.example/vut@sha256:" + "a" * 64)
        self.assertEqual(pinned.test_pod()["spec"]["containers"][0]["image"],
                         "registry.example/vut@sha256:" + "a" * 64)

    def test_service_exposes_grpc_by_name(self):
        service = self.m.get("Service", FULLNAME)
        self.assertEqual(service["spec"]["type"], "ClusterIP")
        self.assertEqual(service["spec"]["ports"], [{
            "name": "grpc", "port": 50051, "targetPort": "grpc",
            "protocol": "TCP", "appProtocol": "grpc"}])
        # nginx (the front proxy, on by default) takes the port; the server
        # listens on loopback behind it.
        self.assertEqual(self.m.front_proxy_container()["ports"], [
            {"name": "grpc", "containerPort": 50051, "protocol": "TCP"}])
        self.assertEqual(self.m.flag("listen"), "127.0.0.1:50052")

    def test_metrics_are_served_apart_from_grpc(self):
        # IPv6 and IPv4 (dual stack).
        self.assertEqual(self.m.flag("metrics_listen"), "[::]:9090")
        ports = {p["name"]: p["containerPort"]
                 for c in self.m.pod_spec()["containers"]
                 for p in c["ports"]}
        self.assertEqual(ports, {"grpc": 50051, "metrics": 9090})
        service = self.m.get("Service", f"{FULLNAME}-metrics")
        self.assertEqual([(p["name"], p["port"], p["targetPort"])
                          for p in service["spec"]["ports"]],
                         [("metrics", 9090, "metrics")])
        self.assertEqual(service["metadata"]["labels"][
            "app.kubernetes.io/component"], "metrics")

    def test_server_flags_follow_the_values(self):
        self.assertEqual(self.m.flag("log_level"), "info")
        self.assertEqual(self.m.flag("vercel_api_base_url"),
                         "https://api.vercel.com")
        self.assertEqual(self.m.flag("shutdown_grace"), "10s")
        self.assertEqual(self.m.flag("max_connection_age"), "300s")
        self.assertEqual(self.m.flag("max_connection_age_grace"), "30s")
        self.assertEqual(self.m.flag("max_in_flight"), "1000")
        self.assertEqual(self.m.flag("max_request_bytes"), "65536")
        self.assertEqual(self.m.flag("max_concurrent_streams"), "100")
        self.assertEqual(self.m.flag("grpc_memory_limit_bytes"), "33554432")
        self.assertEqual(self.m.flag("handshake_timeout"), "10s")
        self.assertEqual(self.m.flag("max_connection_idle"), "60s")
        # No server token and no TLS unless asked for.
        self.assertIsNone(self.m.flag("vercel_token_file"))
        self.assertIsNone(self.m.flag("tls_cert_file"))
        self.assertEqual([v["name"] for v in self.m.pod_spec()["volumes"]],
                         ["front-proxy-config", "front-proxy-run"])
        self.assertNotIn("volumeMounts", self.m.server_container())
        extra = chart.render(set_values=[
            "server.extraArgs={--default_deadline=20s}",
            "server.logLevel=warning"])
        self.assertEqual(extra.flag("default_deadline"), "20s")
        self.assertEqual(extra.flag("log_level"), "warning")

    def test_service_account_mounts_no_api_token(self):
        sa = self.m.get("ServiceAccount")
        self.assertIs(sa["automountServiceAccountToken"], False)
        self.assertEqual(self.m.pod_spec()["serviceAccountName"],
                         sa["metadata"]["name"])

    def test_replicas_spread_over_zones_and_nodes(self):
        self.assertEqual(self.m.deployment()["spec"]["replicas"], 2)
        constraints = self.m.pod_spec()["topologySpreadConstraints"]
        self.assertEqual([c["topologyKey"] for c in constraints],
                         ["topology.kubernetes.io/zone",
                          "kubernetes.io/hostname"])
        for c in constraints:
            self.assertEqual(c["labelSelector"], {"matchLabels": SELECTOR})
            self.assertEqual(c["whenUnsatisfiable"], "ScheduleAnyway")

    def test_disruption_budget_keeps_one_pod_and_never_blocks_drains(self):
        pdb = self.m.get("PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        self.assertNotIn("minAvailable", pdb["spec"])
        self.assertEqual(pdb["spec"]["unhealthyPodEvictionPolicy"],
                         "AlwaysAllow")

    def test_network_policy_admits_clients_and_scrapers_only(self):
        np = self.m.get("NetworkPolicy")
        spec = np["spec"]
        self.assertEqual(spec["policyTypes"], ["Ingress", "Egress"])
        ingress = {tuple(p["port"] for p in rule["ports"]): rule["from"]
                   for rule in spec["ingress"]}
        self.assertEqual(set(ingress), {("grpc",), ("metrics",)})
        self.assertEqual(ingress[("grpc",)], [
            {"podSelector": {}},
            {"podSelector": {"matchLabels": {
                "app.kubernetes.io/name": "vercel-user-tokens",
                "app.kubernetes.io/instance": RELEASE,
                "app.kubernetes.io/component": "test"}}},
        ])
        # Scrapes from kube-prometheus-stack's usual namespace, OpenShift's
        # monitoring and GKE Managed Prometheus' collectors.
        self.assertEqual(ingress[("metrics",)], [{"namespaceSelector": {
            "matchExpressions": [{
                "key": "kubernetes.io/metadata.name", "operator": "In",
                "values": ["monitoring", "openshift-user-workload-monitoring",
                           "openshift-monitoring", "gmp-system"]}]}}])
        # The chart's test pod is one of the admitted peers.
        test_labels = self.m.test_pod()["metadata"]["labels"]
        self.assertLessEqual(
            ingress[("grpc",)][1]["podSelector"]["matchLabels"].items(),
            test_labels.items())

    def test_network_policy_egress_is_dns_and_https_only(self):
        egress = self.m.get("NetworkPolicy")["spec"]["egress"]
        ports = [sorted((p["protocol"], p["port"]) for p in rule["ports"])
                 for rule in egress]
        self.assertEqual(ports, [[("TCP", 53), ("UDP", 53)], [("TCP", 443)]])
        for rule in egress:
            self.assertTrue(rule["to"], "a rule without peers allows all")
        https = egress[1]["to"]
        self.assertEqual(https[0]["ipBlock"]["cidr"], "0.0.0.0/0")
        # Cloud metadata and the cluster's private ranges stay unreachable.
        for cidr in ("169.254.0.0/16", "10.0.0.0/8", "172.16.0.0/12",
                     "192.168.0.0/16"):
            self.assertIn(cidr, https[0]["ipBlock"]["except"])

    def test_helm_test_checks_health_through_the_service(self):
        pod = self.m.test_pod()
        self.assertEqual(pod["spec"]["restartPolicy"], "Never")
        (container,) = pod["spec"]["containers"]
        service = self.m.get("Service", FULLNAME)
        port = service["spec"]["ports"][0]["port"]
        self.assertEqual(container["command"][:2],
                         ["/usr/local/bin/vercel-tokens", "health"])
        self.assertIn(f"--server={FULLNAME}.{NAMESPACE}.svc:{port}",
                      container["command"])
        self.assertNotIn("--tls", container["command"])

    def test_pods_roll_when_the_token_secret_changes(self):
        def checksum(m):
            return m.deployment()["spec"]["template"]["metadata"][
                "annotations"]["checksum/vercel-token"]
        one = chart.render(set_values=["vercelToken.value=one"])
        self.assertEqual(checksum(one),
                         checksum(chart.render(
                             set_values=["vercelToken.value=one"])))
        self.assertNotEqual(checksum(one), checksum(chart.render(
            set_values=["vercelToken.value=two"])))


class WithSecretTest(unittest.TestCase):
    """ci/with-secret-values.yaml: the chart creates the token Secret."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "with-secret-values.yaml"])

    def test_token_reaches_the_server_as_a_read_only_file(self):
        secret = self.m.get("Secret", f"{FULLNAME}-vercel-token")
        self.assertEqual(secret["type"], "Opaque")
        self.assertEqual(base64.b64decode(secret["data"]["token"]),
                         b"ci-not-a-real-token")
        path = self.m.flag("vercel_token_file")
        mount_dir, file_name = path.rsplit("/", 1)
        (mount,) = [v for v in self.m.server_container()["volumeMounts"]
                    if v["mountPath"] == mount_dir]
        self.assertIs(mount["readOnly"], True)
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == mount["name"]]
        self.assertEqual(volume["secret"]["secretName"],
                         secret["metadata"]["name"])
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "token", "path": file_name}])
        # Readable by the pod's group (fsGroup) only, never by others.
        self.assertEqual(volume["secret"]["defaultMode"], 0o440)

    def test_token_appears_in_no_other_object(self):
        for o in self.m.objects:
            if o["kind"] != "Secret":
                self.assertNotIn("ci-not-a-real-token", str(o))


class ExistingSecretTest(unittest.TestCase):
    """ci/existing-secret-values.yaml: the operator's own Secret and key."""

    def test_token_comes_from_the_named_secret_and_key(self):
        m = chart.render([CI_VALUES / "existing-secret-values.yaml"])
        self.assertEqual(m.of_kind("Secret"), [])
        path = m.flag("vercel_token_file")
        self.assertIsNotNone(path)
        (volume,) = [v for v in m.pod_spec()["volumes"]
                     if not v["name"].startswith("front-proxy")]
        self.assertEqual(volume["secret"]["secretName"], "vercel-api-token")
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "api-token", "path": path.rsplit("/")[-1]}])
        (mount,) = m.server_container()["volumeMounts"]
        self.assertEqual(mount["mountPath"], path.rsplit("/", 1)[0])


class TlsListenerTest(unittest.TestCase):
    """ci/tls-listener-values.yaml: the listener serves TLS only."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "tls-listener-values.yaml"])

    def tls_volume(self, spec):
        (volume,) = [v for v in spec["volumes"]
                     if "vercel-user-tokens-tls" in self.m.secret_items(v)]
        return volume

    def tls_items(self, volume):
        return self.m.secret_items(volume)["vercel-user-tokens-tls"]

    def test_server_gets_certificate_and_key_from_the_secret(self):
        cert = self.m.flag("tls_cert_file")
        key = self.m.flag("tls_key_file")
        tls_dir = cert.rsplit("/", 1)[0]
        self.assertEqual(key.rsplit("/", 1)[0], tls_dir)
        volume = self.tls_volume(self.m.pod_spec())
        self.assertEqual(
            {i["key"]: i["path"] for i in self.tls_items(volume)},
            {"tls.crt": cert.rsplit("/")[-1], "tls.key": key.rsplit("/")[-1],
             "ca.crt": "ca.crt"})
        (mount,) = [v for v in self.m.server_container()["volumeMounts"]
                    if v["name"] == volume["name"]]
        self.assertEqual((mount["mountPath"], mount["readOnly"]),
                         (tls_dir, True))

    def test_probes_run_the_cli_over_tls_inside_the_container(self):
        tls_dir = self.m.flag("tls_cert_file").rsplit("/", 1)[0]
        container = self.m.server_container()
        for probe in ("livenessProbe", "readinessProbe"):
            p = container[probe]
            self.assertNotIn("grpc", p)
            self.assertEqual(p["exec"]["command"], [
                "/usr/local/bin/vercel-tokens", "health",
                "--health_service=" + ("readiness" if probe == "readinessProbe"
                                       else "liveness"),
                "--tls", f"--tls_ca_file={tls_dir}/ca.crt",
                f"--tls_server_name={FULLNAME}.{NAMESPACE}.svc",
                "--server=localhost:50051",
                f"--timeout={p['timeoutSeconds']}s", "--wait_for_ready"])

    def test_helm_test_connects_over_tls_with_only_the_ca(self):
        spec = self.m.test_pod()["spec"]
        command = spec["containers"][0]["command"]
        self.assertIn("--tls", command)
        ca = [a for a in command if a.startswith("--tls_ca_file=")]
        self.assertEqual(len(ca), 1)
        self.assertEqual(self.tls_items(self.tls_volume(spec)),
                         [{"key": "ca.crt", "path": "ca.crt"}])


class AutoscalingTest(unittest.TestCase):
    """ci/autoscaling-values.yaml: HPA, PDB by minAvailable, ServiceMonitor."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "autoscaling-values.yaml"])

    def test_autoscaler_owns_the_replica_count(self):
        hpa = self.m.get("HorizontalPodAutoscaler")
        self.assertEqual(hpa["apiVersion"], "autoscaling/v2")
        self.assertEqual(hpa["spec"]["scaleTargetRef"], {
            "apiVersion": "apps/v1", "kind": "Deployment",
            "name": self.m.deployment()["metadata"]["name"]})
        self.assertEqual((hpa["spec"]["minReplicas"],
                          hpa["spec"]["maxReplicas"]), (3, 12))
        targets = {m["resource"]["name"]:
                   m["resource"]["target"]["averageUtilization"]
                   for m in hpa["spec"]["metrics"]}
        self.assertEqual(targets, {"cpu": 60, "memory": 80})
        self.assertEqual(
            hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"],
            300)
        # Helm must not fight the autoscaler on every upgrade.
        self.assertNotIn("replicas", self.m.deployment()["spec"])

    def test_disruption_budget_by_min_available(self):
        spec = self.m.get("PodDisruptionBudget")["spec"]
        self.assertEqual(spec["minAvailable"], 2)
        self.assertNotIn("maxUnavailable", spec)

    def test_service_monitor_scrapes_the_metrics_service(self):
        sm = self.m.get("ServiceMonitor")
        self.assertEqual(sm["apiVersion"], "monitoring.coreos.com/v1")
        self.assertEqual(sm["metadata"]["labels"]["release"],
                         "kube-prometheus-stack")
        metrics_service = self.m.get("Service", f"{FULLNAME}-metrics")
        self.assertLessEqual(sm["spec"]["selector"]["matchLabels"].items(),
                             metrics_service["metadata"]["labels"].items())
        # ...and no other Service.
        grpc_service = self.m.get("Service", FULLNAME)
        self.assertFalse(sm["spec"]["selector"]["matchLabels"].items()
                         <= grpc_service["metadata"]["labels"].items())
        self.assertEqual(sm["spec"]["namespaceSelector"],
                         {"matchNames": [NAMESPACE]})
        (endpoint,) = sm["spec"]["endpoints"]
        self.assertEqual((endpoint["port"], endpoint["path"]),
                         ("metrics", "/metrics"))


class HeadlessTest(unittest.TestCase):
    """ci/headless-values.yaml: headless Service, chosen callers, no metrics."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "headless-values.yaml"])

    def test_headless_service_lists_ready_pods_on_the_grpc_port(self):
        headless = self.m.get("Service", "tokens-headless")
        self.assertEqual(headless["spec"]["clusterIP"], "None")
        self.assertIs(headless["spec"]["publishNotReadyAddresses"], False)
        self.assertEqual(headless["spec"]["selector"],
                         SELECTOR)
        (port,) = headless["spec"]["ports"]
        self.assertEqual(
            (port["name"], port["port"], port["targetPort"]),
            ("grpc", self.m.front_proxy_container()["ports"][0][
                "containerPort"], "grpc"))
        self.assertEqual(self.m.get("Service", "tokens")["spec"]["type"],
                         "ClusterIP")

    def test_only_the_chosen_callers_reach_grpc(self):
        (rule,) = self.m.get("NetworkPolicy")["spec"]["ingress"]
        self.assertEqual(rule["ports"], [{"port": "grpc", "protocol": "TCP"}])
        self.assertEqual(rule["from"][0], {
            "namespaceSelector": {"matchLabels": {
                "vercel-user-tokens/consumer": "true"}},
            "podSelector": {"matchLabels": {
                "vercel-user-tokens/client": "true"}}})
        self.assertEqual(len(rule["from"]), 2)  # ...and the test pod.

    def test_metrics_off_means_no_port_no_service_no_flag(self):
        self.assertIsNone(self.m.flag("metrics_listen"))
        self.assertEqual([p["name"] for c in self.m.pod_spec()["containers"]
                          for p in c.get("ports", [])], ["grpc"])
        self.assertEqual(sorted(s["metadata"]["name"]
                                for s in self.m.of_kind("Service")),
                         ["tokens", "tokens-headless"])


class IssuanceTest(unittest.TestCase):
    """ci/issuance-values.yaml: mutual TLS, a policy ConfigMap, a server
    token."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render([CI_VALUES / "issuance-values.yaml"])

    def mounted_file(self, flag, volume_name, container=None):
        path = self.m.flag(flag)
        return self.mounted_path(path, volume_name, container)

    def mounted_path(self, path, volume_name, container=None):
        folder, name = path.rsplit("/", 1)
        container = container or self.m.server_container()
        (mount,) = [v for v in container["volumeMounts"]
                    if v["name"] == volume_name]
        self.assertEqual((mount["mountPath"], mount["readOnly"]),
                         (folder, True))
        self.assertNotIn("subPath", mount)
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == volume_name]
        return name, volume

    def test_nginx_requires_client_certificates_from_the_ca_secret(self):
        # The front proxy (on by default) terminates mutual TLS; the server
        # behind it takes the certificate nginx verified and forwards.
        proxy = self.m.front_proxy_container()
        config = self.m.get("ConfigMap", f"{FULLNAME}-front-proxy")["data"][
            "nginx.conf"]
        (ca_path,) = re.findall(r"^\s*ssl_client_certificate\s+(\S+);",
                                config, re.M)
        self.assertRegex(config, r"(?m)^\s*ssl_verify_client on;")
        name, volume = self.mounted_path(ca_path, "client-ca", proxy)
        self.assertEqual(volume["secret"]["secretName"],
                         "vercel-user-tokens-client-ca")
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "ca.crt", "path": name}])
        self.assertIn("--trust_forwarded_client_cert", self.m.server_args())
        self.assertIsNone(self.m.flag("tls_client_ca_file"))
        self.assertIsNone(self.m.flag("tls_cert_file"))
        # The server holds neither the key nor the client CAs.
        self.assertEqual(
            [v["name"] for v in self.m.server_container()["volumeMounts"]],
            ["vercel-token", "policy"])
        # Readiness goes through nginx with a client certificate of the
        # probes' own, so the serving certificate needs no clientAuth usage.
        (probe_volume,) = [v for v in self.m.pod_spec()["volumes"]
                           if v["name"] == "probe-client"]
        self.assertEqual(probe_volume["secret"]["secretName"],
                         "vercel-user-tokens-probe-client")
        (probe_mount,) = [v for v in proxy["volumeMounts"]
                          if v["name"] == "probe-client"]
        command = proxy["readinessProbe"]["exec"]["command"]
        self.assertIn(f"--tls_cert_file={probe_mount['mountPath']}/tls.crt",
                      command)
        self.assertIn(f"--tls_key_file={probe_mount['mountPath']}/tls.key",
                      command)
        self.assertIn("--server=localhost:50051", command)
        test_command = self.m.test_pod()["spec"]["containers"][0]["command"]
        self.assertTrue(any(a.startswith("--tls_cert_file=/")
                            for a in test_command))

    def test_listener_requires_client_certificates_from_the_ca_secret(self):
        # Without the front proxy, the server's own listener does.
        self.m = chart.render([CI_VALUES / "issuance-values.yaml"],
                              ["frontProxy.enabled=false"])
        name, volume = self.mounted_file("tls_client_ca_file", "client-ca")
        self.assertEqual(volume["secret"]["secretName"],
                         "vercel-user-tokens-client-ca")
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "ca.crt", "path": name}])
        # The probes present a client certificate of their own, so the
        # serving certificate needs no clientAuth usage.
        (probe_mount,) = [v for v in self.m.server_container()["volumeMounts"]
                          if v["name"] == "probe-client"]
        for probe in ("livenessProbe", "readinessProbe"):
            command = self.m.server_container()[probe]["exec"]["command"]
            self.assertIn(f"--tls_cert_file={probe_mount['mountPath']}/tls.crt",
                          command)
            self.assertIn(f"--tls_key_file={probe_mount['mountPath']}/tls.key",
                          command)

    def test_policy_comes_from_a_configmap_that_reloads_without_restart(self):
        name, volume = self.mounted_file("policy_file", "policy")
        config_map = self.m.get("ConfigMap", f"{FULLNAME}-policy")
        self.assertEqual(volume["configMap"]["name"], f"{FULLNAME}-policy")
        policy = json.loads(config_map["data"]["policy.json"])
        self.assertEqual(policy["rules"][0]["create"]["name_prefix"],
                         "ci-deployer-")
        annotations = self.m.deployment()["spec"]["template"]["metadata"][
            "annotations"]
        self.assertFalse([a for a in annotations if "policy" in a],
                         annotations)

    def test_orphan_and_idempotency_settings(self):
        self.assertEqual(self.m.flag("orphan_grace"), "15s")
        self.assertEqual(self.m.flag("idempotency_window"), "300s")
        direct = chart.render([CI_VALUES / "issuance-values.yaml"],
                              ["frontProxy.enabled=false"])
        self.assertNotIn("--trust_forwarded_client_cert", direct.server_args())
        forwarded = chart.render(
            set_values=["issuance.trustForwardedClientCert=true"])
        self.assertIn("--trust_forwarded_client_cert", forwarded.server_args())

    def test_client_ca_without_tls_fails(self):
        result = chart.helm(*chart.template_args(set_values=[
            "issuance.clientCa.existingSecret=ca"]))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("issuance.clientCa needs tls.enabled", result.stderr)


class TokenReviewTest(unittest.TestCase):
    """tests/deploy/token-review-values.yaml: Kubernetes workload identity
    (issue 16)."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render(
            [chart.REPO / "tests" / "deploy" / "token-review-values.yaml"])

    def test_the_server_reviews_tokens_for_its_audience(self):
        self.assertIn("--kubernetes_token_review", self.m.server_args())
        self.assertEqual(self.m.flag("workload_token_audience"),
                         "vercel-user-tokens")
        self.assertEqual(self.m.flag("trust_domain"), "cluster.local")
        self.assertEqual(self.m.flag("max_token_reviews_in_flight"), "64")

    def test_its_account_may_review_through_system_auth_delegator(self):
        binding = self.m.get("ClusterRoleBinding")
        self.assertEqual(binding["roleRef"]["name"], "system:auth-delegator")
        self.assertEqual(binding["subjects"], [{
            "kind": "ServiceAccount",
            "name": self.m.pod_spec()["serviceAccountName"],
            "namespace": NAMESPACE}])
        self.assertFalse(chart.render().of_kind("ClusterRoleBinding"))

    def test_its_own_token_and_the_cluster_ca_are_projected(self):
        self.assertFalse(self.m.pod_spec()["automountServiceAccountToken"])
        token_dir = self.m.flag("kubernetes_token_file").rsplit("/", 1)[0]
        self.assertEqual(
            self.m.flag("kubernetes_ca_file").rsplit("/", 1)[0], token_dir)
        (mount,) = [v for v in self.m.server_container()["volumeMounts"]
                    if v["mountPath"] == token_dir]
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == mount["name"]]
        sources = volume["projected"]["sources"]
        self.assertEqual(sources[0]["serviceAccountToken"]["path"], "token")
        self.assertEqual(sources[1]["configMap"]["name"], "kube-root-ca.crt")

    def test_egress_reaches_the_api_server_only_where_told(self):
        egress = self.m.get("NetworkPolicy")["spec"]["egress"]
        rules = [r for r in egress
                 if {"ipBlock": {"cidr": "172.18.0.2/32"}} in r.get("to", [])]
        self.assertEqual(len(rules), 1, egress)
        self.assertEqual(sorted(p["port"] for p in rules[0]["ports"]),
                         [443, 6443])

    def test_off_by_default(self):
        self.assertNotIn("--kubernetes_token_review",
                         chart.render().server_args())


class FederationTest(unittest.TestCase):
    """tests/deploy/federation-values.yaml: OIDC federation (issue 19)."""

    @classmethod
    def setUpClass(cls):
        cls.m = chart.render(
            [chart.REPO / "tests" / "deploy" / "federation-values.yaml"])

    def test_trusted_issuers_are_rendered_into_the_policy(self):
        config_map = self.m.get("ConfigMap", f"{FULLNAME}-policy")
        policy = json.loads(config_map["data"]["policy.json"])
        self.assertEqual(
            [i["issuer"] for i in policy["trusted_issuers"]],
            ["https://token.actions.githubusercontent.com",
             "https://gitlab.example.com"])
        self.assertEqual(policy["trusted_issuers"][1]["jwks_uri"],
                         "https://gitlab.example.com/oauth/discovery/keys")
        self.assertEqual(policy["rules"][0]["name"], "web-production-deploy")
        self.assertTrue(self.m.flag("policy_file"))

    def test_the_oidc_flags_and_the_private_issuers_ca(self):
        self.assertEqual(self.m.flag("oidc_jwks_refresh_interval"), "15m")
        self.assertEqual(self.m.flag("oidc_min_refetch_interval"), "1m")
        self.assertEqual(self.m.flag("oidc_max_stale"), "24h")
        folder, name = self.m.flag("oidc_ca_file").rsplit("/", 1)
        (mount,) = [v for v in self.m.server_container()["volumeMounts"]
                    if v["mountPath"] == folder]
        self.assertTrue(mount["readOnly"])
        (volume,) = [v for v in self.m.pod_spec()["volumes"]
                     if v["name"] == mount["name"]]
        self.assertEqual(volume["secret"]["secretName"], "gitlab-ca")
        self.assertEqual(volume["secret"]["items"],
                         [{"key": "ca.crt", "path": name}])

    def test_egress_reaches_the_issuers_where_told(self):
        egress = self.m.get("NetworkPolicy")["spec"]["egress"]
        rules = [r for r in egress
                 if {"ipBlock": {"cidr": "203.0.113.7/32"}} in r.get("to", [])]
        self.assertEqual(len(rules), 1, egress)
        self.assertEqual([p["port"] for p in rules[0]["ports"]], [443])

    def test_off_by_default(self):
        defaults = chart.render()
        self.assertFalse([a for a in defaults.server_args()
                          if a.startswith("--oidc_")])
        issuance = chart.render([CI_VALUES / "issuance-values.yaml"])
        policy = json.loads(issuance.get(
            "ConfigMap", f"{FULLNAME}-policy")["data"]["policy.json"])
        self.assertNotIn("trusted_issuers", policy)


class NotesTest(unittest.TestCase):
    """What `helm install` prints: where to connect, and what to know."""

    def test_defaults_name_the_address_and_the_missing_token(self):
        notes = chart.render_notes()
        self.assertIn(f"{FULLNAME}.{NAMESPACE}.svc:50051   (plaintext HTTP/2)",
                      notes)
        self.assertIn("every call must carry `authorization: Bearer <token>`",
                      notes)
        self.assertIn(f"helm test {RELEASE} -n {NAMESPACE}", notes)
        self.assertIn(f"service/{FULLNAME}-metrics port 9090", notes)
        self.assertNotIn("headless", notes)

    def test_tls_and_existing_secret(self):
        notes = chart.render_notes([CI_VALUES / "tls-listener-values.yaml"])
        self.assertIn("(TLS only)", notes)
        self.assertIn("--tls --tls_ca_file=", notes)
        self.assertIn("from Secret vercel-api-token", notes)
        self.assertIn(f"rollout restart deployment/{FULLNAME}", notes)

    def test_headless_address_and_chart_made_secret(self):
        notes = chart.render_notes([CI_VALUES / "headless-values.yaml",
                                    CI_VALUES / "with-secret-values.yaml"])
        self.assertIn(f"dns:///tokens-headless.{NAMESPACE}.svc:50051", notes)
        self.assertIn("from Secret tokens-vercel-token", notes)
        self.assertIn("run `helm upgrade` with the new value", notes)
        self.assertNotIn("Prometheus", notes)

    def test_warns_when_a_server_token_has_neither_mtls_nor_policy(self):
        warning = "WARNING: the server holds a Vercel token"
        self.assertIn(warning, chart.render_notes(
            [CI_VALUES / "with-secret-values.yaml"]))
        self.assertNotIn(warning, chart.render_notes())
        self.assertNotIn(warning, chart.render_notes(
            [CI_VALUES / "issuance-values.yaml"]))


if __name__ == "__main__":
    unittest.main()
