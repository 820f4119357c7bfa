#!/usr/bin/python3
"""A certificate and CA rotation under a running pod costs no probe: the
release server started with the args the chart renders, its TLS Secret laid
out as the kubelet writes it (files that are symlinks into `..data`, swapped
in one rename), the rendered probe run every second while the Secret
changes to a certificate from a new CA, as cert-manager's SelfSigned issuer
does on every renewal. Every probe must pass. With the front proxy (on by
default) nginx holds the Secret and terminates TLS: it runs as rendered
(files/front-proxy-run.sh reloading it) and its readiness probe, which goes
through nginx to the server, is the one probed; without it, the server's
own liveness probe.

Needs the binaries of release_build_test.py ($VUT_RELEASE_OUT) and nginx.
"""

import os
import pathlib
import subprocess
import tempfile
import time
import unittest

import chart
from chart_server_test import (Nginx, Pod, make_certificates,
                               rendered_secrets_and_config_maps, secrets_for)

PROBES = 10
ROTATE_BEFORE_PROBE = 3


def atomic_writer_layout(folder):
    """Lays `folder`'s files out as the kubelet's atomic writer does: the
    data in a timestamped folder, `..data` a symlink to it, each file a
    symlink through `..data`."""
    folder = pathlib.Path(folder)
    version = folder / "..v0"
    version.mkdir()
    for f in list(folder.iterdir()):
        if f.is_file() and not f.name.startswith(".."):
            f.rename(version / f.name)
            os.symlink(f"..data/{f.name}", f)
    os.symlink(version.name, folder / "..data")


def atomic_update(folder, files, generation):
    """Replaces every file of `folder` at once, as the kubelet does when the
    Secret changes: a new version folder, then one rename of `..data`."""
    folder = pathlib.Path(folder)
    version = folder / f"..v{generation}"
    version.mkdir()
    for name, data in files.items():
        (version / name).write_bytes(data)
    os.symlink(version.name, folder / "..data_tmp")
    os.rename(folder / "..data_tmp", folder / "..data")


class RotationTest(unittest.TestCase):

    def setUp(self):
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = pathlib.Path(tmp.name)
        (self.tmp / "old").mkdir()
        (self.tmp / "new").mkdir()
        self.old = make_certificates(self.tmp / "old")
        self.new = make_certificates(self.tmp / "new")
        self.assertNotEqual(self.old["ca.crt"], self.new["ca.crt"])

    def rotate_under_probes(self, values_file, client_ca, set_values=()):
        """Runs the pod of `values_file` (and `set_values`) on the old
        certificates (the client CA, if any, being `client_ca`), probes it
        every second and swaps in the new certificates before probe
        ROTATE_BEFORE_PROBE; returns the failed probes' outputs."""
        m = chart.render([values_file], set_values)
        secrets = secrets_for(self.tmp / "old", self.old)
        secrets["vercel-user-tokens-client-ca"] = {"ca.crt": client_ca}
        secrets, config_maps = rendered_secrets_and_config_maps(m, secrets)
        root = self.tmp / "pod"
        root.mkdir()
        pod = Pod(m, secrets, root, config_maps)
        proxy = m.front_proxy_container()
        if proxy is None:
            tls_folder = pod.mounts[
                m.flag("tls_cert_file").rsplit("/", 1)[0]]
            atomic_writer_layout(tls_folder)
        pod.start()
        self.addCleanup(pod.stop)
        address = pod.wait_for_log("listening")["address"]
        if proxy is None:
            port = int(address.rsplit(":", 1)[1])
            probe = m.server_container()["livenessProbe"]
            local = pod.local
        else:
            nginx = Nginx(m, secrets, config_maps, root, address)
            self.addCleanup(nginx.stop)
            port = int(nginx.address.rsplit(":", 1)[1])
            (tls_mount,) = [v["mountPath"] for v in proxy["volumeMounts"]
                            if v["name"] == "tls"]
            tls_folder = nginx.mounts[tls_mount]
            # Same contents: front-proxy-run.sh sees no change.
            atomic_writer_layout(tls_folder)
            probe = proxy["readinessProbe"]

            def local(arg):
                return pod.local(nginx.local(arg))
        command = [f"--server=localhost:{port}" if a.startswith("--server=")
                   else local(a) for a in probe["exec"]["command"]]
        failures = []
        start = time.monotonic()
        for i in range(PROBES):
            if i == ROTATE_BEFORE_PROBE:
                atomic_update(tls_folder, self.new, 1)
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=probe["timeoutSeconds"] + 5)
            if result.returncode != 0:
                failures.append(f"probe {i}: {result.stdout}{result.stderr}")
            # One probe a second, as a kubelet with periodSeconds: 1 would.
            time.sleep(max(0.0, start + i + 1 - time.monotonic()))
        return failures

    def test_tls_listener_rotation_fails_no_probe(self):
        failures = self.rotate_under_probes(
            chart.CI_VALUES / "tls-listener-values.yaml", b"")
        self.assertEqual(failures, [])

    def test_mutual_tls_listener_rotation_fails_no_probe(self):
        # The probes present the serving certificate (the chart asks
        # cert-manager for `client auth`); the client CA bundle trusts both
        # CAs while the rotation runs, as trust-manager would publish it.
        failures = self.rotate_under_probes(
            chart.CI_VALUES / "cert-manager-values.yaml",
            self.old["ca.crt"] + self.new["ca.crt"],
            ["frontProxy.enabled=false"])
        self.assertEqual(failures, [])

    def test_tls_rotation_through_the_front_proxy_fails_no_probe(self):
        failures = self.rotate_under_probes(
            chart.CI_VALUES / "tls-listener-values.yaml", b"",
            ["frontProxy.enabled=true"])
        self.assertEqual(failures, [])

    def test_mutual_tls_rotation_through_the_front_proxy_fails_no_probe(self):
        # The default: nginx terminates mutual TLS and reloads the renewed
        # certificate; its readiness probe presents the serving certificate.
        failures = self.rotate_under_probes(
            chart.CI_VALUES / "cert-manager-values.yaml",
            self.old["ca.crt"] + self.new["ca.crt"])
        self.assertEqual(failures, [])


if __name__ == "__main__":
    unittest.main()
