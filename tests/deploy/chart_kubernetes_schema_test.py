#!/usr/bin/python3
"""Every documented render of the chart (the defaults, each ci/*-values.yaml,
and one with every optional object and field on) validates against the
Kubernetes API's own strict schemas (unknown fields refused) of 1.27, the
oldest version the chart supports, 1.31 and 1.34, with kubernetes-validate
(pinned in scripts/deps/pip-deploy.txt, in the virtualenv that
scripts/tools/kubernetes-validate.sh makes). Objects of other APIs (the
prometheus-operator, cert-manager and Managed Prometheus kinds) have no
schema there; they are listed, so that a new kind cannot slip through."""

import json
import subprocess
import tempfile
import unittest

import chart

VERSIONS = ("1.27.0", "1.31.0", "1.34.0")
CUSTOM_KINDS = {"PrometheusRule", "ServiceMonitor", "Certificate",
                "PodMonitoring"}
VALIDATOR = chart.REPO / "scripts" / "tools" / "kubernetes-validate.sh"

# Runs in the kubernetes-validate virtualenv: reads [[name, object], ...]
# and prints one line per object and version that fails.
CHECK = r"""
import json, sys
import kubernetes_validate
for name, obj in json.load(open(sys.argv[1])):
    for version in sys.argv[2:]:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            print(f"{version} {name}: {e.message} at {list(e.path)}")
        except kubernetes_validate.SchemaNotFoundError as e:
            print(f"{version} {name}: no schema: {e}")
"""

EVERYTHING = [
    "prometheusRule.enabled=true", "grafanaDashboard.enabled=true",
    "metrics.serviceMonitor.enabled=true",
    "metrics.serviceMonitor.relabelings[0].targetLabel=team",
    "service.headless.enabled=true", "service.type=LoadBalancer",
    "service.loadBalancerSourceRanges={10.0.0.0/8}",
    "service.externalTrafficPolicy=Local", "vercelToken.value=t",
    "autoscaling.enabled=true", "podDisruptionBudget.minAvailable=50%",
    "commonLabels.team=platform", "commonAnnotations.owner=platform",
]


class KubernetesSchemaTest(unittest.TestCase):

    def test_every_render_validates_against_kubernetes_schemas(self):
        python = subprocess.run([str(VALIDATOR)], capture_output=True,
                                text=True)
        self.assertEqual(python.returncode, 0, python.stderr)
        renders = {"defaults": chart.render(),
                   "everything on": chart.render(set_values=EVERYTHING)}
        for f in chart.ci_values_files():
            renders[f.name] = chart.render([f])
        objects, custom = [], set()
        for source, m in renders.items():
            for o in m.objects:
                if o["kind"] in CUSTOM_KINDS:
                    custom.add(o["kind"])
                    continue
                objects.append(
                    [f"{source}: {o['kind']} {o['metadata']['name']}", o])
        self.assertEqual(custom, CUSTOM_KINDS)
        kinds = {o["kind"] for _, o in objects}
        self.assertLessEqual(
            {"Deployment", "Service", "ServiceAccount", "NetworkPolicy",
             "PodDisruptionBudget", "HorizontalPodAutoscaler", "Secret",
             "ConfigMap", "Pod"}, kinds)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as data:
            json.dump(objects, data)
            data.flush()
            result = subprocess.run(
                [python.stdout.strip(), "-c", CHECK, data.name, *VERSIONS],
                capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, "", result.stdout)

    def test_an_unknown_field_is_refused(self):
        # The check can fail: a Service port field that does not exist.
        python = subprocess.run([str(VALIDATOR)], capture_output=True,
                                text=True).stdout.strip()
        service = chart.render().get("Service", "vut-vercel-user-tokens")
        service["spec"]["ports"][0]["appProtocl"] = "grpc"
        with tempfile.NamedTemporaryFile("w", suffix=".json") as data:
            json.dump([["bad", service]], data)
            data.flush()
            result = subprocess.run(
                [python, "-c", CHECK, data.name, VERSIONS[0]],
                capture_output=True, text=True, timeout=600)
        self.assertIn("appProtocl", result.stdout)


if __name__ == "__main__":
    unittest.main()
