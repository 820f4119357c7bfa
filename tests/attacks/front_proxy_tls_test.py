"""The chart's front proxy terminating TLS and mutual TLS
(helm/vercel-user-tokens/files/front-proxy.conf.in in its "tls" and "mtls"
modes, run by files/front-proxy-run.sh as the chart runs it), against real
nginx and the real server behind it on loopback with
--trust_forwarded_client_cert:

- floods over TLS (header-only streams without the SETTINGS ACK, rapid
  resets, idle TLS connections) leave the server and nginx together within
  64 MiB of idle, while a health check on another connection is answered;
- a client certificate names the same caller through nginx as on the
  server's own mTLS listener; no certificate, or one from another CA, is
  refused by nginx; without client CAs a caller is anonymous;
- an x-forwarded-client-cert sent by the client never reaches the server;
- a renewed serving certificate and new client CAs take effect without a
  restart.

Run by ctest with Debian's /usr/bin/python3 (python3-h2), nginx-light and
the openssl command; VUT_SERVER_PATH names the server binary.
"""

import json
import os
import socket
import ssl
import tempfile
import time
import unittest
import urllib.parse

import h2_attacks as attacks

SERVER = os.environ.get("VUT_SERVER_PATH", "")
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "helm", "vercel-user-tokens", "files",
                        "front-proxy.conf.in")
# The bound, for the server and nginx together. Straight to the
# server's own TLS listener, 20,000 unacknowledged streams took the server
# alone about 240 MiB above idle.
MAX_GROWTH_MIB = 64
HOLD_SECONDS = 2
# How long a call may take during a flood on this shared machine before it
# counts as not answered.
ANSWER_WAIT = 30
# How long nginx may take to pick up a changed file: front-proxy-run.sh
# checks every RELOAD_INTERVAL seconds; the rest is slack for a busy machine.
RELOAD_INTERVAL = 1
RELOAD_WAIT = 60
OK = 0
UNAUTHENTICATED = 16
DEPLOYER = "spiffe://cluster.local/ns/ci/sa/deployer"
ADMIN = "spiffe://cluster.local/ns/ci/sa/admin"


def served_certificate(address):
    """The DER certificate a new TLS handshake with `address` presents."""
    host, port = address.rsplit(":", 1)
    context = attacks.tls_context()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with context.wrap_socket(sock) as tls:
            return tls.getpeercert(binary_form=True)


def der(pem_path):
    with open(pem_path) as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


def replace_file(path, source):
    """Replaces `path` by a copy of `source` in one rename, as the kubelet
    updates a mounted Secret."""
    with open(source, "rb") as f:
        data = f.read()
    with open(path + ".new", "wb") as f:
        f.write(data)
    os.replace(path + ".new", path)


def wait_until(check, timeout):
    """Calls `check` until it returns true or `timeout` passes; returns its
    last result. Each call is a real handshake or call, not a sleep."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.2)


def get_auth_token(address, tls, extra_headers=()):
    """One GetAuthToken with a made-up Vercel token on a new connection;
    returns its grpc-status (or how it ended). The server has no upstream:
    the call still identifies the caller and logs it."""
    conn = attacks.RawH2(address, tls=tls)
    try:
        stream = conn.open_stream(
            extra_headers=[("authorization", "Bearer made-up")] +
            list(extra_headers))
        conn.send_message(stream, b"", compressed=False, timeout=ANSWER_WAIT)
        conn.wait_stream_end(stream, ANSWER_WAIT)
        if stream in conn.statuses:
            return conn.statuses[stream]
        return attacks.describe_end(conn, stream)
    finally:
        conn.close()


def callers(server):
    """(caller, caller_source) of each call the server has logged."""
    found = []
    for line in list(server.lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("msg") == "call" and "caller" in entry:
            found.append((entry["caller"], entry.get("caller_source")))
    return found


def logged_callers(server, count):
    """callers(server) once it holds at least `count` calls, or after
    ANSWER_WAIT: the server writes a call's line before it answers, but the
    test reads its output on a thread of its own, so the line can come
    after the answer."""
    wait_until(lambda: len(callers(server)) >= count, ANSWER_WAIT)
    return callers(server)


class TlsProxyFixture(unittest.TestCase):
    """A server on loopback behind nginx in `MODE`, and the PKI."""

    MODE = "mtls"

    @classmethod
    def setUpClass(cls):
        attacks.raise_fd_limit()
        cls._work = tempfile.TemporaryDirectory()
        cls.pki = attacks.Pki(cls._work.name)
        cls.ca = cls.pki.ca("ca")
        cls.server_cert, cls.server_key = cls.pki.server("server", "ca")
        cls.client_cert, cls.client_key = cls.pki.client("deployer", "ca",
                                                         DEPLOYER)
        cls.pki.ca("rogue-ca")
        cls.rogue_cert, cls.rogue_key = cls.pki.client("rogue", "rogue-ca",
                                                       DEPLOYER)
        # The files nginx reads, which the rotation tests replace.
        cls.serving_cert = cls.pki.path("serving.crt")
        cls.serving_key = cls.pki.path("serving.key")
        replace_file(cls.serving_cert, cls.server_cert)
        replace_file(cls.serving_key, cls.server_key)
        cls.client_ca = cls.pki.path("client-ca.crt")
        replace_file(cls.client_ca, cls.ca)

    @classmethod
    def tearDownClass(cls):
        cls._work.cleanup()

    def setUp(self):
        self.server = attacks.Server(SERVER,
                                     ["--trust_forwarded_client_cert"])
        self.addCleanup(self.server.stop)
        run = tempfile.TemporaryDirectory()
        self.addCleanup(run.cleanup)
        self.proxy = attacks.FrontProxy(
            TEMPLATE, self.server.address, run.name, mode=self.MODE,
            tls_cert=self.serving_cert, tls_key=self.serving_key,
            client_ca=self.client_ca if self.MODE == "mtls" else None,
            reload_interval=RELOAD_INTERVAL)
        self.addCleanup(self.proxy.stop)
        self.tls = attacks.tls_context(self.ca, self.client_cert,
                                       self.client_key)
        # The proxy serves once a call goes through it.
        self.assertEqual(
            wait_until(lambda: attacks.health_check(
                self.proxy.address, timeout=20, tls=self.tls) == OK, 60),
            True)

    def idle_rss(self):
        """The server's and nginx's RSS together, in MiB."""
        return self.server.rss_mib() + self.proxy.rss_mib()


class MutualTlsProxyFloodTest(TlsProxyFixture):
    """Floods from a client that holds a valid certificate: the handshake
    is no barrier, nginx's limits are."""

    def setUp(self):
        super().setUp()
        self.idle = self.idle_rss()

    def others_served(self):
        """A health check through the proxy on another connection (from
        another client address), while the flood is held."""
        return attacks.health_check(self.proxy.address, ANSWER_WAIT,
                                    source="127.0.0.2", tls=self.tls)

    def assert_bounded(self, result):
        self.assertTrue(self.server.alive())
        self.assertIsNone(self.proxy.process.poll())
        growth = (self.server.peak_rss_mib() + self.proxy.peak_rss_mib() -
                  self.idle)
        self.assertLess(growth, MAX_GROWTH_MIB, result)

    def test_unacknowledged_settings_over_tls_do_not_lift_the_stream_cap(self):
        result = attacks.header_only_streams(
            self.proxy.address, connections=1, streams=20000,
            hold_seconds=HOLD_SECONDS, ack_settings=False,
            during=self.others_served, tls=self.tls)

        self.assertEqual(result["during"], OK, result)
        self.assertTrue(result["refused"] >= 100 or
                        result["connections_closed"] == 1, result)
        self.assert_bounded(result)

    def test_rapid_resets_over_tls_are_bounded(self):
        result = attacks.rapid_resets(self.proxy.address, connections=20,
                                      streams=2000, during=self.others_served,
                                      tls=self.tls)

        self.assertEqual(result["during"], OK, result)
        self.assert_bounded(result)

    def test_many_idle_tls_connections_are_bounded(self):
        result = attacks.idle_connections(self.proxy.address, 800,
                                          HOLD_SECONDS,
                                          during=self.others_served,
                                          tls=self.tls)

        self.assertEqual(result["during"], OK, result)
        self.assertEqual(result["not_accepted"], 0, result)
        self.assert_bounded(result)


class MutualTlsProxyIdentityTest(TlsProxyFixture):

    def test_a_client_certificate_names_the_caller_it_names_directly(self):
        direct = attacks.Server(SERVER, [
            "--tls_cert_file=" + self.server_cert,
            "--tls_key_file=" + self.server_key,
            "--tls_client_ca_file=" + self.ca])
        self.addCleanup(direct.stop)

        get_auth_token(direct.address, self.tls)
        get_auth_token(self.proxy.address, self.tls)

        self.assertEqual(logged_callers(direct, 1), [(DEPLOYER, "mtls")],
                         direct.lines)
        self.assertEqual(logged_callers(self.server, 1), [(DEPLOYER, "xfcc")],
                         self.server.lines)

    def test_no_certificate_or_another_cas_is_refused_by_nginx(self):
        for name, tls in (
                ("none", attacks.tls_context(self.ca)),
                ("rogue", attacks.tls_context(self.ca, self.rogue_cert,
                                              self.rogue_key))):
            # nginx answers the call itself, as a gRPC client understands.
            self.assertEqual(get_auth_token(self.proxy.address, tls),
                             UNAUTHENTICATED, name)
        # No call reached the server.
        self.assertEqual(callers(self.server), [])

    def test_a_forwarded_client_cert_from_the_client_is_replaced(self):
        # Another certificate's PEM, and a plain URI, as a client would
        # forge them.
        with open(self.server_cert) as f:
            other = urllib.parse.quote(f.read(), safe="")
        for forged in (f'Cert="{other}"', f"URI={ADMIN}",
                       f"URI={ADMIN},URI={ADMIN}"):
            self.assertNotEqual(
                get_auth_token(self.proxy.address, self.tls,
                               [("x-forwarded-client-cert", forged)]),
                UNAUTHENTICATED, forged)
        self.assertEqual(logged_callers(self.server, 3),
                         [(DEPLOYER, "xfcc")] * 3,
                         self.server.lines)

    def test_new_client_cas_are_taken_without_a_restart(self):
        self.pki.ca("next-ca")
        cert, key = self.pki.client("next", "next-ca",
                                    "spiffe://cluster.local/ns/ci/sa/next")
        tls = attacks.tls_context(self.ca, cert, key)
        self.assertNotEqual(get_auth_token(self.proxy.address, tls), OK)
        pid = self.proxy.process.pid

        replace_file(self.client_ca, self.pki.path("next-ca.crt"))
        self.addCleanup(replace_file, self.client_ca, self.ca)

        def accepted():
            before = len(callers(self.server))
            get_auth_token(self.proxy.address, tls)
            return len(callers(self.server)) > before

        self.assertTrue(wait_until(accepted, RELOAD_WAIT))
        self.assertEqual(callers(self.server)[-1],
                         ("spiffe://cluster.local/ns/ci/sa/next", "xfcc"))
        # The old CA's clients are refused from then on. Counted by caller:
        # the log line of a "next" call the loop above sent may still be on
        # its way.
        old_client = (DEPLOYER, "xfcc")
        before = callers(self.server).count(old_client)
        self.assertNotEqual(get_auth_token(self.proxy.address, self.tls), OK)
        self.assertEqual(callers(self.server).count(old_client), before)
        self.assertEqual(self.proxy.process.pid, pid)
        self.assertIsNone(self.proxy.process.poll())

    def test_a_renewed_serving_certificate_is_served_without_a_restart(self):
        self.assertEqual(served_certificate(self.proxy.address),
                         der(self.server_cert))
        renewed, renewed_key = self.pki.server("renewed", "ca")
        # A connection open at the reload is sent away gracefully (GOAWAY
        # NO_ERROR, on which gRPC clients reconnect), not dropped.
        conn = attacks.RawH2(self.proxy.address, tls=self.tls)
        self.addCleanup(conn.close)
        conn.wait_settings(10)
        pid = self.proxy.process.pid

        replace_file(self.serving_key, renewed_key)
        replace_file(self.serving_cert, renewed)
        self.addCleanup(replace_file, self.serving_key, self.server_key)
        self.addCleanup(replace_file, self.serving_cert, self.server_cert)

        self.assertTrue(wait_until(
            lambda: served_certificate(self.proxy.address) == der(renewed),
            RELOAD_WAIT))
        self.assertTrue(conn.wait_sent_away(ANSWER_WAIT))
        self.assertEqual(conn.goaway, 0)
        self.assertEqual(attacks.health_check(self.proxy.address, ANSWER_WAIT,
                                              tls=self.tls), OK)
        self.assertEqual(self.proxy.process.pid, pid)
        self.assertIsNone(self.proxy.process.poll())


class TlsOnlyProxyTest(TlsProxyFixture):
    """TLS without client CAs: callers are anonymous, and a forged
    x-forwarded-client-cert is dropped (nginx sends none at all)."""

    MODE = "tls"

    def test_callers_are_anonymous_and_cannot_forge_a_certificate(self):
        with open(self.client_cert) as f:
            forged = 'Cert="%s"' % urllib.parse.quote(f.read(), safe="")
        no_cert = attacks.tls_context(self.ca)
        get_auth_token(self.proxy.address, no_cert)
        get_auth_token(self.proxy.address, no_cert,
                       [("x-forwarded-client-cert", forged)])
        get_auth_token(self.proxy.address, no_cert,
                       [("x-forwarded-client-cert", f"URI={ADMIN}")])

        self.assertEqual(logged_callers(self.server, 3),
                         [("anonymous", "anonymous")] * 3,
                         self.server.lines)


if __name__ == "__main__":
    if not SERVER:
        raise SystemExit("set VUT_SERVER_PATH to the server binary")
    unittest.main()
