#!/usr/bin/python3
"""The chart's alerts, run by promtool (Debian's prometheus package) on
synthetic series: each fires when its condition holds, stays quiet when it
does not, and keeps the labels Alertmanager routes by (namespace, job, and
pod where one pod is at fault). `promtool check rules` also checks the
rendered rule file as Prometheus would load it, annotations included."""

import pathlib
import shutil
import subprocess
import tempfile
import unittest

import chart
from chart import NAMESPACE, RELEASE

PROMTOOL = shutil.which("promtool")
JOB = f"{RELEASE}-vercel-user-tokens-metrics"
OTHER_JOB = "other-release-vercel-user-tokens-metrics"


def series(name, values, job=JOB, **labels):
    """An input series of the job's pod, e.g. series("x", "0+1x10")."""
    labels = {"namespace": NAMESPACE, "job": job,
              "instance": "10.0.0.1:9090", **labels}
    text = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return {"series": f"{name}{{{text}}}", "values": values}


def expected(severity="warning", **labels):
    return {"exp_labels": {"severity": severity, "namespace": NAMESPACE,
                           "job": JOB, **labels}}


class AlertsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if PROMTOOL is None:
            raise AssertionError("promtool is missing: run "
                                 "scripts/install-deps.sh (Debian package "
                                 "prometheus, scripts/deps/apt-deploy.txt)")
        m = chart.render(set_values=["prometheusRule.enabled=true"])
        cls.groups = m.get("PrometheusRule")["spec"]["groups"]
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = pathlib.Path(cls.tmp.name)
        (cls.dir / "rules.yaml").write_text(
            chart.yaml.safe_dump({"groups": cls.groups}))
        # Unit tests compare annotations exactly; the labels are what is
        # under test here, so the copy they run on has none.
        bare = [dict(g, rules=[{k: v for k, v in r.items()
                                if k != "annotations"} for r in g["rules"]])
                for g in cls.groups]
        (cls.dir / "bare.yaml").write_text(chart.yaml.safe_dump(
            {"groups": bare}))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def promtool_test(self, name, input_series, alert_tests):
        """Runs one promtool unit test; fails with promtool's report."""
        test_file = self.dir / f"{name}.test.yaml"
        test_file.write_text(chart.yaml.safe_dump({
            "rule_files": ["bare.yaml"],
            "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": input_series,
                       "alert_rule_test": alert_tests}],
        }))
        result = subprocess.run([PROMTOOL, "test", "rules", str(test_file)],
                                capture_output=True, text=True, cwd=self.dir)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_rendered_rules_load_in_prometheus(self):
        result = subprocess.run(
            [PROMTOOL, "check", "rules", str(self.dir / "rules.yaml")],
            capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("8 rules found", result.stdout)

    def test_upstream_unreachable_names_the_pod(self):
        self.promtool_test("unreachable", [
            series("vercel_tokens_upstream_reachable", "1 0x20", pod="p1"),
            series("vercel_tokens_upstream_reachable", "1x20", pod="p2"),
        ], [
            {"eval_time": "4m", "alertname": "VercelUserTokensUpstreamUnreachable",
             "exp_alerts": []},
            {"eval_time": "10m",
             "alertname": "VercelUserTokensUpstreamUnreachable",
             "exp_alerts": [expected(pod="p1")]},
        ])

    def test_error_ratio_per_job(self):
        self.promtool_test("errors", [
            series("vercel_tokens_grpc_calls_total", "0+10x30", pod="p1",
                   method="GetAuthToken", code="OK"),
            series("vercel_tokens_grpc_calls_total", "0+10x30", pod="p1",
                   method="GetAuthToken", code="UNAVAILABLE"),
            series("vercel_tokens_grpc_calls_total", "0+10x30", pod="p9",
                   method="GetAuthToken", code="OK", job=OTHER_JOB),
        ], [
            {"eval_time": "8m", "alertname": "VercelUserTokensErrorRatio",
             "exp_alerts": []},
            {"eval_time": "20m", "alertname": "VercelUserTokensErrorRatio",
             "exp_alerts": [expected()]},
        ])

    def test_rate_limited(self):
        self.promtool_test("ratelimited", [
            series("vercel_tokens_upstream_requests_total", "0+60x30",
                   pod="p1", endpoint="GET /v5/user/tokens/{tokenId}",
                   status="429"),
            series("vercel_tokens_upstream_requests_total", "0+600x30",
                   pod="p1", endpoint="GET /v5/user/tokens/{tokenId}",
                   status="200"),
        ], [
            {"eval_time": "20m", "alertname": "VercelUserTokensRateLimited",
             "exp_alerts": [expected()]},
        ])

    def test_slow_calls(self):
        buckets = {"1": "0x30", "5": "0x30", "10": "0+100x30",
                   "+Inf": "0+100x30"}
        self.promtool_test("slow", [
            series("vercel_tokens_grpc_call_duration_seconds_bucket", values,
                   pod="p1", method="CreateAuthToken", le=le)
            for le, values in buckets.items()
        ], [
            {"eval_time": "20m", "alertname": "VercelUserTokensSlowCalls",
             "exp_alerts": [expected()]},
        ])

    def test_metrics_absent_when_nothing_scrapes_the_job(self):
        build_info = dict(version="0.2.0", commit="abc")
        self.promtool_test("absent", [
            series("vercel_tokens_build_info", "1x30", pod="p9",
                   job=OTHER_JOB, **build_info),
        ], [
            {"eval_time": "10m", "alertname": "VercelUserTokensMetricsAbsent",
             "exp_alerts": []},
            {"eval_time": "20m", "alertname": "VercelUserTokensMetricsAbsent",
             "exp_alerts": [expected()]},
        ])
        self.promtool_test("present", [
            series("vercel_tokens_build_info", "1x30", pod="p1", **build_info),
        ], [
            {"eval_time": "20m", "alertname": "VercelUserTokensMetricsAbsent",
             "exp_alerts": []},
        ])

    def test_policy_mismatch_across_pods_of_one_job(self):
        self.promtool_test("mismatch", [
            series("vercel_tokens_policy_info", "1x20", pod="p1", sha256="aa"),
            series("vercel_tokens_policy_info", "1x20", pod="p2", sha256="bb"),
            # Another release may serve another policy.
            series("vercel_tokens_policy_info", "1x20", pod="p9", sha256="cc",
                   job=OTHER_JOB),
        ], [
            {"eval_time": "3m", "alertname": "VercelUserTokensPolicyMismatch",
             "exp_alerts": []},
            {"eval_time": "10m", "alertname": "VercelUserTokensPolicyMismatch",
             "exp_alerts": [expected()]},
        ])
        self.promtool_test("agree", [
            series("vercel_tokens_policy_info", "1x20", pod="p1", sha256="aa"),
            series("vercel_tokens_policy_info", "1x20", pod="p2", sha256="aa"),
        ], [
            {"eval_time": "10m", "alertname": "VercelUserTokensPolicyMismatch",
             "exp_alerts": []},
        ])

    def test_policy_reload_failure_names_the_pod(self):
        self.promtool_test("reload", [
            series("vercel_tokens_policy_reload_failures_total", "0 0 1 1 1",
                   pod="p2"),
            series("vercel_tokens_policy_reload_failures_total", "0x4",
                   pod="p1"),
        ], [
            {"eval_time": "1m", "alertname": "VercelUserTokensPolicyReloadFailed",
             "exp_alerts": []},
            {"eval_time": "3m", "alertname": "VercelUserTokensPolicyReloadFailed",
             "exp_alerts": [expected(pod="p2")]},
        ])

    def test_orphan_revoke_failed_is_critical(self):
        self.promtool_test("orphan", [
            series("vercel_tokens_orphaned_tokens_total", "0 0 1 1 1",
                   pod="p1", outcome="revoke_failed"),
            series("vercel_tokens_orphaned_tokens_total", "0 5 9 12 20",
                   pod="p2", outcome="revoked"),
            series("vercel_tokens_orphaned_tokens_total", "0x4",
                   pod="p2", outcome="revoke_failed"),
        ], [
            {"eval_time": "1m", "alertname": "VercelUserTokensOrphanRevokeFailed",
             "exp_alerts": []},
            {"eval_time": "3m", "alertname": "VercelUserTokensOrphanRevokeFailed",
             "exp_alerts": [expected("critical", pod="p1")]},
        ])


if __name__ == "__main__":
    unittest.main()
