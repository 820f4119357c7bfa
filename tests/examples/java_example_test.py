"""client/java/example/Example.java against the real server and the fake.

The generated sources in client/java/src/main/java and the example are
compiled with javac against Debian 12's jars of the versions pom.xml names
(grpc-java 1.41.3, protobuf-java 3.21.12; no Maven repository is reachable
here), and the example runs on grpc-netty.

Debian's proto-google-common-protos (1.16.0) predates google.rpc.ErrorInfo,
so the test generates the com.google.rpc error-detail classes from
google/rpc/error_details.proto (Debian's golang-github-gogo-googleapis-dev)
and puts them ahead of that jar. With Maven, grpc-protobuf brings a
proto-google-common-protos that has them.
"""

from __future__ import annotations

import pathlib
import subprocess
import unittest
import xml.etree.ElementTree as ElementTree

import client_example_checks
import harness

CLIENT = harness.REPO / "client" / "java"
GOOGLEAPIS = pathlib.Path("/usr/share/gocode/src/github.com/gogo/googleapis")
JARS = pathlib.Path("/usr/share/java")
RUNTIME_JARS = [
    "protobuf", "grpc-api", "grpc-context", "grpc-core", "grpc-netty",
    "grpc-protobuf", "grpc-protobuf-lite", "grpc-stub", "guava", "gson",
    "perfmark-api", "proto-google-common-protos", "netty-buffer",
    "netty-codec", "netty-codec-http", "netty-codec-http2",
    "netty-codec-socks", "netty-common", "netty-handler",
    "netty-handler-proxy", "netty-resolver", "netty-transport",
]
# javax.annotation.Generated, on UserTokensServiceGrpc.
COMPILE_ONLY_JARS = ["geronimo-annotation-1.3-spec"]
POM = "{http://maven.apache.org/POM/4.0.0}"


def classpath(*entries: pathlib.Path | str) -> str:
    return ":".join(str(entry) for entry in entries)


class JavaExampleTest(client_example_checks.ClientExampleChecks,
                      unittest.TestCase):
    LANGUAGE = "java"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        root = cls.work_dir
        googleapis = root / "googleapis"
        cls.classes = root / "classes"
        googleapis.mkdir()
        subprocess.run(
            ["protoc", f"-I{GOOGLEAPIS}", f"--java_out={googleapis}",
             "google/rpc/error_details.proto"],
            check=True, timeout=harness.TIMEOUT_S)
        sources = sorted([*(CLIENT / "src" / "main" / "java").rglob("*.java"),
                          *googleapis.rglob("*.java"),
                          CLIENT / "example" / "Example.java"])
        jars = [JARS / f"{name}.jar"
                for name in RUNTIME_JARS + COMPILE_ONLY_JARS]
        subprocess.run(
            ["javac", "-d", str(cls.classes), "-cp", classpath(*jars),
             *map(str, sources)],
            check=True, timeout=harness.TIMEOUT_S * 3)

    @classmethod
    def run_example(cls, stack: harness.Stack) -> subprocess.CompletedProcess:
        runtime = [JARS / f"{name}.jar" for name in RUNTIME_JARS]
        return stack.run_example(
            ["java", "-cp", classpath(cls.classes, *runtime), "Example"])

    def test_stubs_compile_and_pom_carries_the_version_in_VERSION(self) -> None:
        self.assertTrue(
            (self.classes / "com" / "vercel" / "authentication" / "v1" /
             "UserTokensServiceGrpc.class").is_file())
        version = (harness.REPO / "VERSION").read_text().strip()
        pom = ElementTree.parse(CLIENT / "pom.xml").getroot()
        self.assertEqual(pom.findtext(f"{POM}version"), version)


if __name__ == "__main__":
    unittest.main()
