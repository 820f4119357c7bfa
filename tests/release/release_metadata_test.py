"""Every package carries the release's version and licence, as RELEASING.md
promises: VERSION, the Apache-2.0 LICENSE at the root and a copy in each
package, each package's metadata (Python, Go, Node.js, Ruby, Java), the
published names, and a CHANGELOG.md section for the version. Standard library
only.
"""

from __future__ import annotations

import json
import pathlib
import re
import tomllib
import unittest
import xml.etree.ElementTree as ElementTree

REPO = pathlib.Path(__file__).resolve().parents[2]
CLIENT = REPO / "client"
MAVEN = "{http://maven.apache.org/POM/4.0.0}"


def version() -> str:
    return (REPO / "VERSION").read_text().strip()


class ReleaseMetadataTest(unittest.TestCase):

    def test_version_is_semver_and_in_the_changelog(self) -> None:
        self.assertRegex(version(), r"^\d+\.\d+\.\d+$")
        changelog = (REPO / "CHANGELOG.md").read_text()
        self.assertIn("## [Unreleased]", changelog)
        self.assertIn(f"\n## [{version()}]", changelog)
        self.assertIn(f"\n[{version()}]: ", changelog)

    def test_licence_is_apache_2_in_the_root_and_every_package(self) -> None:
        licence = (REPO / "LICENSE").read_text()
        self.assertIn("Apache License\n                           Version 2.0",
                      licence)
        self.assertIn("END OF TERMS AND CONDITIONS", licence)
        for package in ("python", "go", "node", "ruby", "java"):
            with self.subTest(package=package):
                self.assertEqual((CLIENT / package / "LICENSE").read_text(),
                                 licence)

    def test_python(self) -> None:
        project = tomllib.loads(
            (CLIENT / "python" / "pyproject.toml").read_text())["project"]
        self.assertEqual(
            (project["name"], project["version"], project["license"]),
            ("vercel-user-tokens", version(), "Apache-2.0"))

    def test_go(self) -> None:
        go_mod = (CLIENT / "go" / "go.mod").read_text()
        self.assertIn(
            "module github.com/vercel-user-tokens/vercel-user-tokens/client/go\n",
            go_mod)
        # Go takes the version from the tag client/go/vX.Y.Z; the code says
        # which one it is.
        stamped = (CLIENT / "go" / "vercel" / "authentication" / "v1"
                   / "version.go").read_text()
        self.assertIn(f'const Version = "{version()}"', stamped)

    def test_node(self) -> None:
        package = json.loads((CLIENT / "node" / "package.json").read_text())
        self.assertEqual(
            (package["name"], package["version"], package.get("license")),
            ("@vercel-user-tokens/client", version(), "Apache-2.0"))

    def test_ruby(self) -> None:
        gemspec = (CLIENT / "ruby" / "vercel_user_tokens.gemspec").read_text()
        self.assertIn("spec.name = 'vercel_user_tokens'", gemspec)
        self.assertIn(f"spec.version = '{version()}'", gemspec)
        self.assertIn("spec.license = 'Apache-2.0'", gemspec)
        self.assertRegex(gemspec, r"spec\.files = .*'LICENSE'")

    def test_java(self) -> None:
        pom = ElementTree.parse(CLIENT / "java" / "pom.xml").getroot()
        self.assertEqual(
            [pom.findtext(MAVEN + key)
             for key in ("groupId", "artifactId", "version")],
            ["io.github.vercel-user-tokens", "vercel-user-tokens-client",
             version()])
        self.assertEqual(
            [entry.findtext(MAVEN + "name") for entry in
             pom.findall(f"{MAVEN}licenses/{MAVEN}license")],
            ["Apache-2.0"])

    def test_releasing_names_the_tags(self) -> None:
        releasing = (REPO / "RELEASING.md").read_text()
        for tag in ("vX.Y.Z", "client/go/vX.Y.Z", "proto/baseline/vX.Y.Z.binpb"):
            self.assertIn(tag, releasing)
        # The breaking check's baseline is a released version, never a newer
        # one than VERSION.
        baselines = sorted(
            (tuple(map(int, re.findall(r"\d+", p.stem)))
             for p in (REPO / "proto" / "baseline").glob("v*.binpb")))
        self.assertTrue(baselines)
        self.assertLessEqual(baselines[-1],
                             tuple(map(int, version().split("."))))


if __name__ == "__main__":
    unittest.main()
