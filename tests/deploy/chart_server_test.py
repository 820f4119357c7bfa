#!/usr/bin/python3
"""The release server accepts what the chart renders: for the defaults and
every ci/*-values.yaml it starts with the Deployment's args, its mounted
files laid out as the pod would see them, passes the rendered startup,
liveness and readiness probes, serves /metrics where the chart points
Prometheus, and exits 0 on SIGTERM before the kubelet would kill it. The
command of `helm test`'s upstream pod passes only when Vercel (here the fake)
answers the call itself.

A flag the chart passes but the server lacks would crash-loop every pod;
this is where that shows. Addresses are moved to 127.0.0.1 with free ports.

Needs the binaries of release_build_test.py ($VUT_RELEASE_OUT).
"""

import base64
import json
import os
import pathlib
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import unittest
import urllib.request

import chart

OUT = pathlib.Path(os.environ["VUT_RELEASE_OUT"])
IMAGE_BIN = "/usr/local/bin/"
STARTUP_TIMEOUT_S = 30
FULLNAME = f"{chart.RELEASE}-vercel-user-tokens"
FAKE_VERCEL = chart.REPO / "tests" / "fake_vercel" / "fake_vercel.py"
CI_VALUES_ISSUANCE = chart.CI_VALUES / "issuance-values.yaml"


def make_client_certificate(directory, common_name):
    """A client certificate with subject CN `common_name` from the CA that
    make_certificates left in `directory`, as a kubernetes.io/tls Secret
    holds it: tls.crt, tls.key."""
    d = pathlib.Path(directory)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    for args in (["req", *ec, "-keyout", f"{common_name}.key", "-out",
                  f"{common_name}.csr", "-subj", f"/CN={common_name}"],
                 ["x509", "-req", "-in", f"{common_name}.csr", "-CA",
                  "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                  f"{common_name}.crt", "-days", "1"]):
        subprocess.run(["openssl", *args], cwd=d, check=True,
                       capture_output=True)
    return {"tls.crt": (d / f"{common_name}.crt").read_bytes(),
            "tls.key": (d / f"{common_name}.key").read_bytes()}


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
    # localhost for the fake Vercel API; the Service's name, which the
    # probes check (--tls_server_name) while they dial localhost.
    (d / "san.ext").write_text(
        f"subjectAltName=DNS:localhost,DNS:{FULLNAME}.{chart.NAMESPACE}.svc\n")
    openssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey",
            "ca.key", "-CAcreateserial", "-out", "tls.crt", "-days", "1",
            "-extfile", "san.ext")
    return {name: (d / name).read_bytes()
            for name in ("ca.crt", "tls.crt", "tls.key")}


def lay_out_mounts(manifests, container, secrets, root, config_maps,
                   prefix=""):
    """The volumes `container` mounts, written under `root` (one folder per
    mount, named `prefix` + its name) from `secrets` and `config_maps` as
    the kubelet would; an emptyDir is an empty folder. Returns
    {mountPath in the container: folder here}."""
    root = pathlib.Path(root)
    mounts = {}
    volumes = {v["name"]: v for v in manifests.pod_spec().get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        volume = volumes[mount["name"]]
        folder = root / (prefix + mount["name"])
        folder.mkdir()
        mounts[mount["mountPath"]] = folder
        if "emptyDir" in volume:
            continue
        if "configMap" in volume:
            sources = [dict(volume["configMap"], data=config_maps or {})]
        elif "secret" in volume:
            sources = [dict(volume["secret"],
                            name=volume["secret"]["secretName"])]
        else:
            sources = [s["secret"] for s in volume["projected"]["sources"]]
        for source in sources:
            data = (source["data"][source["name"]] if "data" in source
                    else secrets[source["name"]])
            for item in source["items"]:
                # The kubelet skips the missing keys of an optional
                # source, and refuses to start the pod otherwise.
                if item["key"] in data or not source.get("optional"):
                    (folder / item["path"]).write_bytes(data[item["key"]])
    return mounts


class Pod:
    """The server container of a rendered Deployment, run as a process."""

    def __init__(self, manifests, secrets, root, config_maps=None):
        self.m = manifests
        self.root = pathlib.Path(root)
        # mountPath in the container -> folder here
        self.mounts = lay_out_mounts(manifests, manifests.server_container(),
                                     secrets, root, config_maps)
        self.log = queue.Queue()  # stderr lines; None once it closes
        self.entries = []  # the log lines read so far, parsed
        self.process = None

    def local(self, arg):
        """arg with container paths replaced by their files here."""
        arg = arg.replace(IMAGE_BIN, str(OUT) + "/")
        for mount_path, folder in self.mounts.items():
            arg = arg.replace(mount_path + "/", str(folder) + "/")
        return arg

    def start(self, overrides=()):
        """Starts the server with the rendered args, listening on free
        loopback ports, each of `overrides` (--name=value) replacing the
        rendered flag of that name."""
        replace = {o.split("=", 1)[0]: o for o in overrides}
        args = []
        for arg in self.m.server_args():
            name = arg.split("=", 1)[0]
            if name in ("--listen", "--metrics_listen"):
                arg = f"{name}=127.0.0.1:0"
            args.append(self.local(replace.pop(name, arg)))
        args += replace.values()
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


def rendered_directive(config, name):
    """The first argument of the one `name ...;` line of an nginx config."""
    (found,) = re.findall(rf"^\s*{name}\s+([^;{{]*);", config, re.M)
    return found.split()[0]


class Nginx:
    """The front-proxy container of manifests `m`, run as a process: its
    rendered command and ConfigMap, its mounts laid out under `root`
    (lay_out_mounts, with the pod's `secrets`), the server's rendered
    address replaced by `upstream` (the free port the server took) and the
    listening port handed over from a socket bound here to a free port."""

    def __init__(self, m, secrets, config_maps, root, upstream):
        container = m.front_proxy_container()
        self.mounts = lay_out_mounts(m, container, secrets, root, config_maps,
                                     prefix="front-proxy-container-")
        config_path = self.local(
            container["command"][container["command"].index("-c") + 1])
        config = pathlib.Path(config_path).read_text()
        self.rendered_listen = rendered_directive(config, "listen")
        self.rendered_upstream = rendered_directive(config, "server")
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1024)
        self.address = "127.0.0.1:%d" % self._listener.getsockname()[1]
        pathlib.Path(config_path).write_text(
            self.local(config).replace(self.rendered_listen, self.address)
            .replace(self.rendered_upstream, upstream))
        command = [self.local(a) for a in container["command"]]
        fd = self._listener.fileno()
        self.log = open(pathlib.Path(root) / "nginx.log", "w+")
        self.process = subprocess.Popen(
            command,
            env={"NGINX": f"{fd};", "PATH": "/usr/sbin:/usr/bin:/bin"},
            pass_fds=(fd,), stdin=subprocess.DEVNULL, stdout=self.log,
            stderr=self.log)

    def local(self, text):
        """`text` with the container's mount paths replaced by the folders
        here."""
        for mount_path, folder in self.mounts.items():
            if text == mount_path:
                return str(folder)
            text = text.replace(mount_path + "/", str(folder) + "/")
        return text

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self._listener.close()
        self.log.close()


def secrets_for(directory, tls):
    """The Secrets the ci/ values files name, from the certificates of
    make_certificates(directory)."""
    return {
        "vercel-api-token": {"api-token": b"not-a-real-token\n",
                             "token": b"not-a-real-token\n"},
        "vercel-user-tokens-tls": tls,
        # What tls.certManager writes.
        f"{FULLNAME}-tls": tls,
        # The CA of the listener's certificate also signs clients, so the
        # probes may present the pod's own certificate.
        "vercel-user-tokens-client-ca": {"ca.crt": tls["ca.crt"]},
        "vercel-user-tokens-probe-client": make_client_certificate(
            directory, "vercel-user-tokens-probe"),
        "vercel-user-tokens-test-client": make_client_certificate(
            directory, "vercel-user-tokens-test-client"),
    }


def rendered_secrets_and_config_maps(m, secrets):
    """`secrets` plus the Secrets and ConfigMaps the chart renders itself."""
    secrets = dict(secrets)
    for s in m.of_kind("Secret"):
        secrets[s["metadata"]["name"]] = {
            k: base64.b64decode(v) for k, v in s["data"].items()}
    config_maps = {c["metadata"]["name"]:
                   {k: v.encode() for k, v in c["data"].items()}
                   for c in m.of_kind("ConfigMap")}
    return secrets, config_maps


def test_pod_command(m, pod, name, port, secrets, root):
    """The command of `helm test` pod `name`, run here: container paths of
    its mounts laid out under `root`, --server pointed at `port`."""
    spec = m.test_pod(name)["spec"]
    (container,) = spec["containers"]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    mounts = {}
    for mount in container.get("volumeMounts", []):
        folder = pathlib.Path(root) / f"test-{name}-{mount['name']}"
        folder.mkdir()
        for secret_name, items in m.secret_items(
                volumes[mount["name"]]).items():
            data = secrets[secret_name]
            for item in items or [{"key": k, "path": k} for k in data]:
                if item["key"] in data:
                    (folder / item["path"]).write_bytes(data[item["key"]])
        mounts[mount["mountPath"]] = folder
    command = []
    for arg in container["command"]:
        if arg.startswith("--server="):
            arg = f"--server=127.0.0.1:{port}"
        for mount_path, folder in mounts.items():
            arg = arg.replace(mount_path + "/", str(folder) + "/")
        command.append(pod.local(arg))
    return command


class ChartServerTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        tls = make_certificates(cls.tmp.name)
        cls.secrets = secrets_for(cls.tmp.name, tls)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def start_front_proxy(self, m, pod, secrets, config_maps, root):
        """The port clients of the pod reach and the front proxy's Nginx:
        nginx's port when the chart puts the front proxy in front of the
        server (started here, stopped at the test's end), else the server's
        own and None."""
        address = pod.wait_for_log("listening")["address"]
        if m.front_proxy_container() is None:
            return int(address.rsplit(":", 1)[1]), None
        nginx = Nginx(m, secrets, config_maps, root, address)
        self.addCleanup(nginx.stop)
        return int(nginx.address.rsplit(":", 1)[1]), nginx

    def service_port(self, m, pod, secrets, config_maps, root):
        """The port of start_front_proxy."""
        return self.start_front_proxy(m, pod, secrets, config_maps, root)[0]

    def run_pod(self, values_file):
        m = chart.render([values_file] if values_file else [])
        secrets, config_maps = rendered_secrets_and_config_maps(
            m, self.secrets)
        root = tempfile.mkdtemp(dir=self.tmp.name)
        pod = Pod(m, secrets, root, config_maps)
        pod.start()
        self.addCleanup(pod.stop)
        listening = pod.wait_for_log("listening")
        port = int(listening["address"].rsplit(":", 1)[1])
        service_port, nginx = self.start_front_proxy(m, pod, secrets,
                                                     config_maps, root)
        self.assertEqual(listening["tls"],
                         "true" if m.flag("tls_cert_file") else "false")

        container = m.server_container()
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            p = container[probe]
            if "exec" in p:
                command = [pod.local(a) for a in p["exec"]["command"]]
                command = [f"--server=localhost:{port}"
                           if a.startswith("--server=") else a
                           for a in command]
            else:
                # What the kubelet's gRPC probe asks: grpc.health.v1 Check
                # of the probe's service on its port.
                command = [str(OUT / "vercel-tokens"),
                           f"--server=127.0.0.1:{port}", "health",
                           f"--health_service={p['grpc']['service']}"]
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=p["timeoutSeconds"] + 5)
            self.assertEqual(result.returncode, 0,
                             f"{probe}: {result.stdout}{result.stderr}")
        proxy = m.front_proxy_container()
        if proxy is not None:
            # nginx's readiness probe: the server's readiness through nginx
            # (over TLS with the probe's client certificate when the chart
            # serves TLS).
            p = proxy["readinessProbe"]
            if "exec" in p:
                command = [f"--server=127.0.0.1:{service_port}"
                           if a.startswith("--server=")
                           else pod.local(nginx.local(a))
                           for a in p["exec"]["command"]]
            else:
                command = [str(OUT / "vercel-tokens"),
                           f"--server=127.0.0.1:{service_port}", "health",
                           f"--health_service={p['grpc']['service']}"]
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=p["timeoutSeconds"] + 5)
            self.assertEqual(result.returncode, 0,
                             f"front-proxy readiness: {result.stdout}"
                             f"{result.stderr}")

        if m.flag("metrics_listen"):
            address = pod.wait_for_log("metrics listening")["address"]
            with urllib.request.urlopen(f"http://{address}/metrics",
                                        timeout=10) as response:
                self.assertEqual(response.status, 200)

        pod.process.send_signal(signal.SIGTERM)
        pre_stop = int(container["lifecycle"]["preStop"]["exec"]["command"][1])
        budget = m.pod_spec()["terminationGracePeriodSeconds"] - pre_stop
        self.assertEqual(pod.process.wait(timeout=budget), 0)

    def run_upstream_test_pod(self, vercel_port):
        """Runs the default pod against https://localhost:vercel_port
        (trusting the test CA), then the command of `helm test`'s upstream
        pod against it; returns that command's CompletedProcess."""
        m = chart.render()
        secrets, config_maps = rendered_secrets_and_config_maps(
            m, self.secrets)
        root = tempfile.mkdtemp(dir=self.tmp.name)
        pod = Pod(m, secrets, root, config_maps)
        pod.start([f"--vercel_api_base_url=https://localhost:{vercel_port}",
                   f"--vercel_ca_file={self.tmp.name}/ca.crt"])
        self.addCleanup(pod.stop)
        port = self.service_port(m, pod, secrets, config_maps, root)
        (container,) = m.test_pod("upstream")["spec"]["containers"]
        command = [f"--server=127.0.0.1:{port}" if a.startswith("--server=")
                   else pod.local(a) for a in container["command"]]
        return subprocess.run(command, capture_output=True, text=True,
                              timeout=60)

    def start_fake_vercel(self):
        """The fake Vercel API over HTTPS with the test CA's certificate;
        returns its port."""
        fake = subprocess.Popen(
            [sys.executable, str(FAKE_VERCEL), "--host", "127.0.0.1",
             "--port", "0", "--tls-cert", f"{self.tmp.name}/tls.crt",
             "--tls-key", f"{self.tmp.name}/tls.key"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(fake.stdout.close)
        self.addCleanup(fake.wait)
        self.addCleanup(fake.terminate)
        line = fake.stdout.readline()
        self.assertTrue(line.startswith("PORT "), line)
        return int(line.split()[1])

    def test_helm_test_passes_when_vercel_itself_refuses_the_call(self):
        result = self.run_upstream_test_pod(self.start_fake_vercel())

        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        # A made-up token: Vercel answers 403 invalidToken.
        self.assertIn("error: UNAUTHENTICATED: Vercel API error 403",
                      result.stdout)
        self.assertIn("reason: INVALID_TOKEN", result.stdout)

    def test_helm_test_fails_when_vercel_cannot_be_reached(self):
        with socket.socket() as s:  # a port nothing listens on
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]

        result = self.run_upstream_test_pod(closed_port)

        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("UNAVAILABLE", result.stdout)

    def test_helm_test_passes_for_every_values_file(self):
        # Each documented install's `helm test` pods, run against its pod:
        # health through the Service, and the one call Vercel (the fake)
        # refuses itself. The issuance example's test client gets a rule.
        vercel_port = self.start_fake_vercel()
        files = [None, *chart.ci_values_files()]
        for f in files:
            with self.subTest(values=f.name if f else "defaults"):
                m = chart.render([f] if f else [])
                secrets, config_maps = rendered_secrets_and_config_maps(
                    m, self.secrets)
                root = tempfile.mkdtemp(dir=self.tmp.name)
                pod = Pod(m, secrets, root, config_maps)
                pod.start([
                    f"--vercel_api_base_url=https://localhost:{vercel_port}",
                    f"--vercel_ca_file={self.tmp.name}/ca.crt"])
                try:
                    port = self.service_port(m, pod, secrets, config_maps,
                                             root)
                    for name in ("health", "upstream"):
                        command = test_pod_command(m, pod, name, port,
                                                   secrets, root)
                        result = subprocess.run(command, capture_output=True,
                                                text=True, timeout=60)
                        self.assertEqual(result.returncode, 0,
                                         f"{name}: {result.stdout}"
                                         f"{result.stderr}")
                finally:
                    pod.stop()

    def test_a_denied_helm_test_says_why(self):
        # A policy that gives the test client nothing: the test fails and
        # says that the policy, not DNS, denied it.
        m = chart.render([CI_VALUES_ISSUANCE], [
            "issuance.clientCa.testClientIdentity="])
        secrets, config_maps = rendered_secrets_and_config_maps(
            m, self.secrets)
        root = tempfile.mkdtemp(dir=self.tmp.name)
        pod = Pod(m, secrets, root, config_maps)
        pod.start([f"--vercel_api_base_url=https://localhost:"
                   f"{self.start_fake_vercel()}",
                   f"--vercel_ca_file={self.tmp.name}/ca.crt"])
        self.addCleanup(pod.stop)
        port = self.service_port(m, pod, secrets, config_maps, root)
        result = subprocess.run(
            test_pod_command(m, pod, "upstream", port, secrets, root),
            capture_output=True, text=True, timeout=60)
        self.assertNotEqual(result.returncode, 0, result.stdout)
        self.assertIn("reason: POLICY_DENIED", result.stdout)
        self.assertIn("issuance policy denied this test's GetAuthToken",
                      result.stdout)

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
