"""client/java's example, and its client layer, against the real server.

The package is built and used as a user gets it: `mvn -B install` in a copy
of client/java (beside a copy of proto/, which its build compiles with protoc
and protoc-gen-grpc-java fetched from Maven Central at the versions the pom
names) puts io.github.vercel-user-tokens:vercel-user-tokens-client into the
local Maven repository, and the example's own Maven build depends on it from
there. Downloads are cached in ~/.m2. The probe below checks the typed
exceptions, their decoded details and the retry; java_scenarios/Scenarios.java
runs client/SPEC.md's scenario list (sdk_scenario_checks.py).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ElementTree
import zipfile

import client_example_checks
import harness
import layer_checks
import sdk_scenario_checks

CLIENT = harness.REPO / "client" / "java"
SCENARIOS = pathlib.Path(__file__).with_name("java_scenarios") / "Scenarios.java"
POM = "{http://maven.apache.org/POM/4.0.0}"
MAVEN = ["mvn", "-B", "-q", "--no-transfer-progress", "-Dstyle.color=never"]
# Calls the client layer as layer_checks.LayerChecks describes; the scenario
# is argv[0].
PROBE = """\
import com.google.rpc.BadRequest;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.client.RetryPolicy;
import io.github.vercelusertokens.client.UserTokensClient;
import io.github.vercelusertokens.client.UserTokensException;
import java.io.File;
import java.time.Duration;

public final class Probe {
  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    UserTokensClient.Builder builder = UserTokensClient.builder(System.getenv("VUT_ADDRESS"))
        .defaultDeadline(Duration.ofSeconds(10)).retry(RetryPolicy.defaults());
    if (scenario.equals("tls")) {
      builder.rootCertificates(new File(System.getenv("VUT_ROOT_CA")))
          .serverNameOverride(System.getenv("VUT_SERVER_NAME"));
      if (System.getenv("VUT_CLIENT_CERT") != null) {
        builder.clientCertificate(new File(System.getenv("VUT_CLIENT_CERT")),
            new File(System.getenv("VUT_CLIENT_KEY")));
      }
    } else {
      builder.plaintext();
    }
    if (!scenario.equals("unauthenticated")) {
      builder.token(System.getenv("VERCEL_TOKEN"));
    }
    try (UserTokensClient client = builder.build()) {
      if (scenario.equals("list") || scenario.equals("tls")) {
        System.out.println("listed=" + client.listAuthTokens(
            ListAuthTokensRequest.getDefaultInstance()).getTokensCount());
      } else {
        client.getAuthToken(GetAuthTokenRequest.newBuilder()
            .setTokenId(scenario.equals("invalid") ? "../x" : "missing").build());
      }
    } catch (UserTokensException e) {
      System.out.println("class=" + e.getClass().getSimpleName());
      System.out.println("code=" + e.getCode());
      System.out.println("reason=" + e.getReason());
      System.out.println("http_status=" + e.getErrorMetadata().getOrDefault("http_status", ""));
      System.out.println("retry_delay_ms=" + e.getRetryDelay().map(Duration::toMillis)
          .map(String::valueOf).orElse(""));
      for (BadRequest.FieldViolation violation : e.getFieldViolations()) {
        System.out.println("field=" + violation.getField());
      }
      System.out.println("ratelimit_limit=" + (e.getRateLimit().limit().isPresent()
          ? String.valueOf(e.getRateLimit().limit().getAsLong()) : ""));
    }
  }
}
"""


# Compiles only if close() throws no checked exception (it threw
# InterruptedException, which every try-with-resources had to handle).
CLOSE_CHECK = """\
import io.github.vercelusertokens.client.UserTokensClient;

final class CloseCheck {
  static void use() {
    try (UserTokensClient client = UserTokensClient.builder("localhost:1").build()) {
      client.channel();
    }
  }
}
"""


class JavaExampleTest(client_example_checks.ClientLayerChecks,
                      layer_checks.LayerChecks,
                      sdk_scenario_checks.SdkScenarioChecks,
                      unittest.TestCase):
    LANGUAGE = "java"
    ERROR_CLASSES = {
        "rate_limited": "RateLimitedException",
        "not_found": "NotFoundException",
        "invalid_argument": "InvalidArgumentException",
        "unauthenticated": "UnauthenticatedException",
        "permission_denied": "PermissionDeniedException",
        "unavailable": "UnavailableException",
        "other": "UserTokensException",
    }

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        root = cls.work_dir
        shutil.copytree(harness.REPO / "proto", root / "proto")
        package = shutil.copytree(CLIENT, root / "client" / "java",
                                  ignore=shutil.ignore_patterns("target"))
        cls.example = package / "example"
        for folder in (package, cls.example):
            subprocess.run([*MAVEN, "install"], cwd=folder, check=True,
                           timeout=harness.TIMEOUT_S * 10)
        cls.classpath = ":".join([
            str(cls.example / "target" / "classes"),
            (cls.example / "target" / "classpath.txt").read_text().strip()])
        probe = root / "probe"
        probe.mkdir()
        (probe / "Probe.java").write_text(PROBE)
        shutil.copy(SCENARIOS, probe / "Scenarios.java")
        subprocess.run(["javac", "-d", str(probe), "-cp", cls.classpath,
                        str(probe / "Probe.java"),
                        str(probe / "Scenarios.java")],
                       check=True, timeout=harness.TIMEOUT_S * 3)
        cls.classpath += f":{probe}"

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        return stack.run_example(["java", "-cp", cls.classpath, "Example"])

    @classmethod
    def run_probe(cls, stack: harness.Stack, scenario: str,
                  env: dict[str, str] | None = None
                  ) -> subprocess.CompletedProcess:
        return stack.run_example(
            ["java", "-cp", cls.classpath, "Probe", scenario], env=env)

    def scenario_argv(self, name: str) -> list[str]:
        return ["java", "-cp", self.classpath, "Scenarios", name]

    # 10. async: the futures client lists, and cancelling its future
    # cancels the call (the server abandons the upstream request).
    def test_scenario_async(self) -> None:
        stack = self.reset()
        self.fault("/v5/user/tokens/held", hold=True)
        cases = self.run_scenario("async")
        self.assertEqual(cases["async"], {"tokens": 1, "outcome": "cancelled"})
        aborted = stack.control("/_fake/wait_aborted?count=1&timeout_ms=10000")
        self.assertEqual(aborted["count"], 1)

    def test_close_throws_no_checked_exception(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            source = pathlib.Path(folder) / "CloseCheck.java"
            source.write_text(CLOSE_CHECK)
            compiled = subprocess.run(
                ["javac", "-Xlint:try", "-Werror", "-d", folder,
                 "-cp", self.classpath, str(source)],
                capture_output=True, text=True, timeout=harness.TIMEOUT_S * 3)
        self.assertEqual(compiled.returncode, 0, compiled.stderr)

    def test_pom_is_complete_for_maven_central(self) -> None:
        pom = ElementTree.parse(CLIENT / "pom.xml").getroot()
        for path in ("name", "description", "url", "scm/url",
                     "scm/connection", "developers/developer/name",
                     "distributionManagement/repository/url"):
            self.assertTrue(pom.findtext(
                "/".join(f"{POM}{part}" for part in path.split("/"))), path)
        profiles = {p.findtext(f"{POM}id"): p
                    for p in pom.iter(f"{POM}profile")}
        plugins = [p.findtext(f"{POM}artifactId")
                   for p in profiles["release"].iter(f"{POM}plugin")]
        self.assertIn("maven-gpg-plugin", plugins)
        releasing = (harness.REPO / "RELEASING.md").read_text()
        self.assertIn("distributionManagement", releasing)
        self.assertIn("-Prelease", releasing)

    def test_jars_carry_the_license_and_sources_and_javadoc_exist(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        jar = pathlib.Path(next(
            entry for entry in self.classpath.split(":")
            if entry.endswith(f"vercel-user-tokens-client-{version}.jar")))
        with zipfile.ZipFile(jar) as archive:
            self.assertEqual(archive.read("META-INF/LICENSE").decode(),
                             (harness.REPO / "LICENSE").read_text())
        for classifier in ("sources", "javadoc"):
            attached = jar.with_name(
                f"vercel-user-tokens-client-{version}-{classifier}.jar")
            self.assertTrue(attached.is_file(), attached)

    def test_mutual_tls_with_a_pkcs1_client_key(self) -> None:
        # cert-manager writes PKCS#1 by default, which grpc-java alone
        # refuses; the client layer converts it.
        with tempfile.TemporaryDirectory() as folder:
            certificates = harness.make_certificates(pathlib.Path(folder))
            pkcs1 = pathlib.Path(folder) / "client_key_pkcs1.pem"
            subprocess.run(["openssl", "pkey", "-traditional",
                            "-in", str(certificates["client_key"]),
                            "-out", str(pkcs1)],
                           check=True, capture_output=True,
                           timeout=harness.TIMEOUT_S)
            self.assertTrue(pkcs1.read_text().startswith(
                "-----BEGIN RSA PRIVATE KEY-----\n"))
            with harness.Stack(harness.tls_flags(certificates,
                                                 client_ca=True)) as stack:
                values = layer_checks.parse(self.run_probe(stack, "tls", {
                    "VUT_ROOT_CA": str(certificates["ca"]),
                    "VUT_SERVER_NAME": harness.SERVER_NAME,
                    "VUT_CLIENT_CERT": str(certificates["client_cert"]),
                    "VUT_CLIENT_KEY": str(pkcs1)}))
                requests = stack.requests()
        self.assertEqual(values, {"listed": ["1"]})
        self.assertEqual(len(requests), 1)

    def test_artifact_is_installed_at_the_version_in_VERSION(self) -> None:
        version = (harness.REPO / "VERSION").read_text().strip()
        pom = ElementTree.parse(CLIENT / "pom.xml").getroot()
        self.assertEqual(pom.findtext(f"{POM}groupId"),
                         "io.github.vercel-user-tokens")
        self.assertEqual(pom.findtext(f"{POM}version"), version)
        self.assertEqual(
            pom.findtext(f"{POM}licenses/{POM}license/{POM}name"),
            "Apache-2.0")
        jar = (f"vercel-user-tokens-client/{version}/"
               f"vercel-user-tokens-client-{version}.jar")
        self.assertIn(jar, self.classpath)
        self.assertTrue(os.path.isfile(self.classpath.split(":")[1]))


if __name__ == "__main__":
    unittest.main()
