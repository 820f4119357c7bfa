#!/usr/bin/python3
"""The release server accepts what the chart renders: for the defaults and
every ci/*-values.yaml it starts with the Deployment's args, its mounted
files laid out as the pod would see them, passes the rendered liveness and
readiness probes, serves /metrics where the chart points Prometheus, and
exits 0 on SIGTERM before the kubelet would kill it.

A flag the chart passes but the server lacks would crash-loop every pod;
this is where that shows. Addresses are moved to 127.0.0.1 with free ports.

Needs the binaries of release_build_test.py ($VUT_RELEASE_OUT).
"""

import base64
import json
import os
import pathlib
import queue
import signal
import subprocess
import tempfile
import threading
import unittest
import urllib.request

import chart

OUT = pathlib.Path(os.environ["VUT_RELEASE_OUT"])
IMAGE_BIN = "/usr/local/bin/"
STARTUP_TIMEOUT_S = 30


def make_certificates(directory):
    """A CA and a certificate it signed for localhost, as a cert-manager
    Secret holds them: ca.crt, tls.crt, tls.key."""
    d = pathlib.Path(directory)

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True,
                       capture_output=True)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt",
            "-subj", "/CN=chart-test-ca", "-days", "1")
    openssl("req", *ec, "-keyout", "tls.key", "-out", "tls.csr",
            "-subj", "/CN=localhost")
    (d / "san.ext").write_text("subjectAltName=DNS:localhost\n")
    openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1",
            "-extfile", "san.ext")
    return {name: (d / name).read_bytes()
            for name in ("ca.crt", "tls.crt", "tls.key")}


class Pod:
    """The server container of a rendered Deployment, run as a process."""

    def __init__(self, manifests, secrets, root, config_maps=None):
        self.m = manifests
        self.root = pathlib.Path(root)
        self.mounts = {}  # mountPath in the container -> folder here
        container = manifests.server_container()
        volumes = {v["name"]: v for v in manifests.pod_spec().get(
            "volumes", [])}
        for mount in container.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            if "configMap" in volume:
                source = volume["configMap"]
                data = (config_maps or {})[source["name"]]
            else:
                source = volume["secret"]
                data = secrets[source["secretName"]]
            folder = self.root / mount["name"]
            folder.mkdir()
            for item in source["items"]:
                (folder / item["path"]).write_bytes(data[item["key"]])
            self.mounts[mount["mountPath"]] = folder
        self.log = queue.Queue()  # stderr lines; None once it closes
        self.entries = []  # the log lines read so far, parsed
        self.process = None

    def local(self, arg):
        """arg with container paths replaced by their files here."""
        arg = arg.replace(IMAGE_BIN, str(OUT) + "/")
        for mount_path, folder in self.mounts.items():
            arg = arg.replace(mount_path + "/", str(folder) + "/")
        return arg

    def start(self):
        args = []
        for arg in self.m.server_args():
            name = arg.split("=", 1)[0]
            if name in ("--listen", "--metrics_listen"):
                arg = f"{name}=127.0.0.1:0"
            args.append(self.local(arg))
        self.process = subprocess.Popen(
            [str(OUT / "vercel-tokens-server"), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()

    def _read_log(self):
        for line in self.process.stderr:
            self.log.put(line)
        self.log.put(None)

    def wait_for_log(self, message):
        """The JSON log line with msg == message, logged now or later. Every
        line must be JSON, and none at level error."""
        while True:
            for entry in self.entries:
                if entry["msg"] == message:
                    return entry
            try:
                line = self.log.get(timeout=STARTUP_TIMEOUT_S)
            except queue.Empty:
                raise AssertionError(f"no '{message}' log line in time")
            if line is None:
                raise AssertionError(
                    f"server exited ({self.process.wait()}) before logging "
                    f"'{message}'")
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                raise AssertionError(f"server wrote a non-JSON line: {line}")
            if entry["level"] == "error":
                raise AssertionError(f"server logged an error: {line}")
            self.entries.append(entry)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.reader.join()
        self.process.stderr.close()


class ChartServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        tls = make_certificates(cls.tmp.name)
        cls.secrets = {
            "vercel-api-token": {"api-token": b"not-a-real-token\n",
                                 "token": b"not-a-real-token\n"},
            "vercel-user-tokens-tls": tls,
            # The CA of the listener's certificate also signs clients, so
            # the probes' client certificate is the pod's own.
            "vercel-user-tokens-client-ca": {"ca.crt": tls["ca.crt"]},
        }

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_pod(self, values_file):
        m = chart.render([values_file] if values_file else [])
        secrets = dict(self.secrets)
        for s in m.of_kind("Secret"):
            secrets[s["metadata"]["name"]] = {
                k: base64.b64decode(v)
                for k, v in s["data"].items()}
        config_maps = {c["metadata"]["name"]:
                       {k: v.encode() for k, v in c["data"].items()}
                       for c in m.of_kind("ConfigMap")}
        root = tempfile.mkdtemp(dir=self.tmp.name)
        pod = Pod(m, secrets, root, config_maps)
        pod.start()
        self.addCleanup(pod.stop)
        listening = pod.wait_for_log("listening")
        port = int(listening["address"].rsplit(":", 1)[1])
        self.assertEqual(listening["tls"],
                         "true" if m.flag("tls_cert_file") else "false")

        container = m.server_container()
        for probe in ("livenessProbe", "readinessProbe"):
            p = container[probe]
            if "exec" in p:
                command = [pod.local(a) for a in p["exec"]["command"]]
                command = [f"--server=localhost:{port}"
                           if a.startswith("--server=") else a
                           for a in command]
            else:
                # What the kubelet's gRPC probe asks: grpc.health.v1 Check
                # of service "" on the probe's port.
                self.assertEqual(p["grpc"]["service"], "")
                command = [str(OUT / "vercel-tokens"),
                           f"--server=127.0.0.1:{port}", "health"]
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=p["timeoutSeconds"] + 5)
            self.assertEqual(result.returncode, 0,
                             f"{probe}: {result.stdout}{result.stderr}")

        if m.flag("metrics_listen"):
            address = pod.wait_for_log("metrics listening")["address"]
            with urllib.request.urlopen(f"http://{address}/metrics",
                                        timeout=10) as response:
                self.assertEqual(response.status, 200)

        pod.process.send_signal(signal.SIGTERM)
        pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
        budget = m.pod_spec()["terminationGracePeriodSeconds"] - pre_stop
        self.assertEqual(pod.process.wait(timeout=budget), 0)

    def test_defaults(self):
        self.run_pod(None)

    def test_ci_values_files(self):
        files = chart.ci_values_files()
        self.assertGreaterEqual(len(files), 6)
        for f in files:
            with self.subTest(values=f.name):
                self.run_pod(f)


if __name__ == "__main__":
    unittest.main()
