#!/usr/bin/python3
"""`helm lint --strict` passes for the defaults and every ci/*-values.yaml."""

import unittest

import chart


class ChartLintTest(unittest.TestCase):

    def test_values_files_lint_cleanly(self):
        cases = [[]] + [["--values", str(f)]
                        for f in chart.ci_values_files()]
        self.assertGreaterEqual(len(cases), 6)
        for extra in cases:
            with self.subTest(values=extra[1:]):
                result = chart.helm("lint", "--strict", str(chart.CHART),
                                    *extra)
                self.assertEqual(result.returncode, 0,
                                 result.stdout + result.stderr)
                self.assertIn("0 chart(s) failed", result.stdout)

    def test_chart_version_follows_the_product(self):
        result = chart.helm("show", "chart", str(chart.CHART))
        self.assertEqual(result.returncode, 0, result.stderr)
        meta = chart.yaml.safe_load(result.stdout)
        self.assertEqual(meta["appVersion"], chart.version())


if __name__ == "__main__":
    unittest.main()
