"""client/java's `release` profile signs what Maven Central gets, as
RELEASING.md says ("Java: Maven Central").

The test runs RELEASING.md's dry run for real, in a copy of client/java
beside a copy of proto/ (its build compiles ../../proto): a throwaway gpg key
(ed25519, expiring in a day, passphrase in env MAVEN_GPG_PASSPHRASE) in a
GNUPGHOME of its own, then `mvn -B deploy -Prelease
-Dvut.deploy.url=file://...` (unit tests skipped: example_java runs them).
Every artifact Central requires (jar, sources jar, javadoc jar, POM) must
arrive with an `.asc` that `gpg --verify` accepts as made by that key. The
gpg-agent is stopped before the build, so the key (which has a passphrase)
can only be used through MAVEN_GPG_PASSPHRASE, as RELEASING.md says.
Needs Debian's gnupg and maven (scripts/deps/apt-java.txt); Maven's
downloads are cached in ~/.m2. Takes about 30 s warm.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest

REPO = pathlib.Path(__file__).resolve().parents[2]
ARTIFACT = "io/github/vercel-user-tokens/vercel-user-tokens-client"
PASSPHRASE = "throwaway-release-test"
MAVEN_TIMEOUT_S = 900
SUFFIXES = (".jar", "-sources.jar", "-javadoc.jar", ".pom")


def version() -> str:
    return (REPO / "VERSION").read_text().strip()


class JavaSigningTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.work = pathlib.Path(tempfile.mkdtemp(prefix="vut-sign-"))
        cls.addClassCleanup(shutil.rmtree, cls.work, ignore_errors=True)
        cls.gnupg_home = cls.work / "gnupg"
        cls.gnupg_home.mkdir(mode=0o700)
        cls.env = {**os.environ, "GNUPGHOME": str(cls.gnupg_home)}
        # The agent gpg starts for this GNUPGHOME ends with the test.
        cls.addClassCleanup(subprocess.run,
                            ["gpgconf", "--kill", "gpg-agent"], env=cls.env,
                            check=False)
        cls.gpg(["--passphrase", PASSPHRASE, "--quick-gen-key",
                 "vut release test <release-test@example.invalid>",
                 "ed25519", "sign", "1d"])
        listing = cls.gpg(["--with-colons", "--list-secret-keys"])
        cls.fingerprint = next(line.split(":")[9]
                               for line in listing.splitlines()
                               if line.startswith("fpr:"))
        cls.tree = cls.work / "tree"
        shutil.copytree(REPO / "proto", cls.tree / "proto")
        shutil.copytree(REPO / "client" / "java", cls.tree / "client" / "java",
                        ignore=shutil.ignore_patterns("target"))

    @classmethod
    def gpg(cls, args: list[str]) -> str:
        result = subprocess.run(
            ["gpg", "--batch", "--pinentry-mode", "loopback", *args],
            env=cls.env, capture_output=True, text=True, timeout=60,
            check=False)
        if result.returncode != 0:
            raise AssertionError(f"gpg {args}: {result.stderr}")
        return result.stdout

    def deploy(self, staging: pathlib.Path) -> subprocess.CompletedProcess:
        # The gpg-agent must not answer from a passphrase it cached: each
        # build has to bring its own.
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=self.env,
                       check=False)
        shutil.rmtree(self.tree / "client" / "java" / "target",
                      ignore_errors=True)
        return subprocess.run(
            ["mvn", "-B", "--no-transfer-progress", "-Dstyle.color=never",
             "-Prelease", "-DskipTests",
             f"-Dvut.deploy.url={staging.as_uri()}", "deploy"],
            cwd=self.tree / "client" / "java",
            env={**self.env, "MAVEN_GPG_PASSPHRASE": PASSPHRASE},
            capture_output=True, text=True, timeout=MAVEN_TIMEOUT_S,
            check=False)

    def test_release_deploy_signs_jar_sources_javadoc_and_pom(self) -> None:
        staging = self.work / "staging"
        result = self.deploy(staging)
        self.assertEqual(result.returncode, 0, result.stdout[-4000:])
        released = staging / ARTIFACT / version()
        for suffix in SUFFIXES:
            artifact = released / f"vercel-user-tokens-client-{version()}{suffix}"
            with self.subTest(artifact=artifact.name):
                self.assertTrue(artifact.is_file())
                verified = subprocess.run(
                    ["gpg", "--batch", "--status-fd", "1", "--verify",
                     f"{artifact}.asc", str(artifact)],
                    env=self.env, capture_output=True, text=True,
                    timeout=60, check=False)
                self.assertEqual(verified.returncode, 0, verified.stderr)
                self.assertIn(f"[GNUPG:] VALIDSIG {self.fingerprint}",
                              verified.stdout)


if __name__ == "__main__":
    unittest.main()
