#!/usr/bin/python3
"""Bad values are refused before anything reaches the cluster.

Each tests/deploy/bad-values/*.yaml says in an `# expect-error: TEXT` line
which key the refusal must name. `helm template` (what `helm install` runs
first) must fail with it. When values.schema.json is what refuses, `helm lint
--strict` must fail naming it too. The rules that compare two values live in
the templates (`fail`), which helm lint by design does not treat as errors.
"""

import re
import unittest

import chart


SCHEMA_REFUSAL = "values don't meet the specifications of the schema"


def expected_error(path):
    match = re.search(r"^# expect-error: (.+)$", path.read_text(), re.M)
    assert match, f"{path.name} has no '# expect-error:' line"
    return match.group(1).strip()


class ChartSchemaTest(unittest.TestCase):

    def test_bad_values_are_refused_naming_the_key(self):
        files = sorted(chart.BAD_VALUES.glob("*.yaml"))
        self.assertGreaterEqual(len(files), 10)
        for f in files:
            expected = expected_error(f)
            with self.subTest(file=f.name):
                rendered = chart.helm(*chart.template_args([f]))
                self.assertNotEqual(rendered.returncode, 0, rendered.stdout)
                self.assertIn(expected, rendered.stderr)
                if SCHEMA_REFUSAL in rendered.stderr:
                    linted = chart.helm("lint", "--strict", str(chart.CHART),
                                        "--values", str(f))
                    self.assertNotEqual(linted.returncode, 0)
                    self.assertIn(expected, linted.stdout + linted.stderr)


if __name__ == "__main__":
    unittest.main()
