"""client/cpp against the real server: client/SPEC.md's scenario list.

cpp_scenarios.cc, built by CMake against the client library (the path comes
in $VUT_CPP_SCENARIOS), runs each scenario and prints the lines
sdk_scenario_checks.py asserts, as every language's program does. C++ calls
block and take a deadline: the per-call scenario has no cancellation case
(client/SPEC.md, section 3), and there is no async client (section 8).
"""

from __future__ import annotations

import os
import unittest

import harness
import sdk_scenario_checks


class CppScenarioTest(sdk_scenario_checks.SdkScenarioChecks,
                      unittest.TestCase):
    LANGUAGE = "cpp"

    def scenario_argv(self, name: str) -> list[str]:
        return [os.environ["VUT_CPP_SCENARIOS"], name]

    # 4. per-call: deadline and metadata; C++ has no cancellation to test.
    def test_scenario_per_call(self) -> None:
        stack = self.reset()
        self.fault("/v5/user/tokens/held", hold=True)
        cases = self.run_scenario("per_call")
        self.assertEqual(cases["per_call_metadata"]["tokens"], 1)
        self.assertEqual(
            [r["headers"].get("authorization")
             for r in self.upstream("/v6/user/tokens")],
            [f"Bearer {harness.SEED_SECRET}"])
        deadline = cases["per_call_deadline"]
        self.assertEqual(sdk_scenario_checks.family(deadline["family"]),
                         "DeadlineExceeded")
        self.assertLess(deadline["elapsed_ms"], 10000)
        aborted = stack.control(
            "/_fake/wait_aborted?count=1&timeout_ms=10000")
        self.assertEqual(aborted["count"], 1)


if __name__ == "__main__":
    unittest.main()
