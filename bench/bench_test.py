#!/usr/bin/env python3
"""Checks that bench.py reads h2load's and the server's output correctly (the
benchmark itself is not run by `make test`)."""

import base64
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

H2LOAD = """starting benchmark...
finished in 4.00s, 12345.67 req/s, 2.70MB/s
requests: 49383 total, 49639 started, 49383 done, 49380 succeeded, 2 failed, 1 errored, 0 timeout
status codes: 49380 2xx, 0 3xx, 0 4xx, 0 5xx
time for request:     1.23ms     45.67ms     20.55ms      5.43ms    70.12%
"""

METRICS = """# TYPE vercel_tokens_grpc_calls_total counter
vercel_tokens_grpc_calls_total{code="OK",method="GetAuthToken"} 1200
vercel_tokens_grpc_calls_total{code="CANCELLED",method="GetAuthToken"} 3
vercel_tokens_grpc_calls_total{code="OK",method="ListAuthTokens"} 7
"""


class ParseTest(unittest.TestCase):
    def test_h2load_summary(self):
        figures = bench.parse_h2load(H2LOAD)
        self.assertAlmostEqual(figures["rps"], 12345.67)
        self.assertEqual(figures["done"], 49383)
        self.assertEqual(figures["succeeded"], 49380)
        self.assertEqual(figures["failed"], 3)

    def test_h2load_without_summary_is_an_error(self):
        with self.assertRaises(ValueError):
            bench.parse_h2load("connect to 127.0.0.1 failed\n")

    def test_request_log_keeps_answered_requests(self):
        log = "1700000000000000\t200\t150\n1700000000000100\t-1\t9\n" \
              "1700000000000200\t200\t250\n"
        self.assertEqual(bench.parse_request_log(log), [150, 250])

    def test_percentile(self):
        values = list(range(1, 101))
        self.assertEqual(bench.percentile(values, 0.99), 100)
        self.assertEqual(bench.percentile(values, 0.5), 51)
        self.assertEqual(bench.percentile([], 0.99), 0.0)

    def test_metric_sums_matching_samples(self):
        self.assertEqual(bench.parse_metric(
            METRICS, "vercel_tokens_grpc_calls_total",
            {"method": "GetAuthToken", "code": "OK"}), 1200)
        self.assertEqual(bench.parse_metric(
            METRICS, "vercel_tokens_grpc_calls_total",
            {"method": "GetAuthToken"}), 1203)

    def test_table_shows_ratio_cpu_rss_and_threads(self):
        table = bench.format_table([dict(
            what="GetAuthToken", in_flight=256, rps=12000.4, mean_us=21000,
            p99_us=640, ratio=0.4321, cpu_us=95.4, rss_kb=40960,
            threads=19)])
        self.assertIn("| GetAuthToken | 256 | 12,000 | 21.00 ms | 640 µs | "
                      "0.43 | 95 µs | 40 MiB | 19 |", table)

    def test_cpu_seconds_of_this_process_grows_with_work(self):
        before = bench.cpu_seconds(os.getpid())
        deadline = time.process_time() + 0.05
        while time.process_time() < deadline:
            pass
        self.assertGreaterEqual(bench.cpu_seconds(os.getpid()) - before, 0.03)

    def test_grpc_frame(self):
        self.assertEqual(bench.grpc_frame(bench.string_field(1, "current")),
                         b"\x00\x00\x00\x00\x09\x0a\x07current")

    def test_workload_token_is_a_1_kb_token_of_the_deployer(self):
        token = bench.workload_token()
        self.assertAlmostEqual(len(token), 1024, delta=16)
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(
            payload + "=" * (-len(payload) % 4)))
        self.assertEqual(claims["sub"],
                         "system:serviceaccount:billing:deployer")
        self.assertEqual(claims["aud"], ["vercel-user-tokens"])
        self.assertGreater(claims["exp"], time.time() + 600)
        # What the fake TokenReview server takes as a valid signature.
        self.assertEqual(signature, "dmFsaWQtc2lnbmF0dXJl")

    def test_forwarded_cert_names_the_deployer_last(self):
        self.assertTrue(bench.FORWARDED_CERT.endswith(
            ";URI=spiffe://cluster.local/ns/billing/sa/deployer"))


if __name__ == "__main__":
    unittest.main()
