"""client/cpp against the real server: client/SPEC.md's scenario list.

cpp_scenarios.cc, built by CMake against the client library (the path comes
in $VUT_CPP_SCENARIOS), runs each scenario and prints the lines
sdk_scenario_checks.py asserts, as every language's program does. C++ calls
block and take a deadline and a CancellationToken (client/SPEC.md, section
3); there is no async client (section 8).
"""

from __future__ import annotations

import os
import unittest

import sdk_scenario_checks


class CppScenarioTest(sdk_scenario_checks.SdkScenarioChecks,
                      unittest.TestCase):
    LANGUAGE = "cpp"

    def scenario_argv(self, name: str) -> list[str]:
        return [os.environ["VUT_CPP_SCENARIOS"], name]


if __name__ == "__main__":
    unittest.main()
