"""The front proxy the chart deploys
(helm/vercel-user-tokens/files/front-proxy.conf.in) bounds what hostile
HTTP/2 clients make vercel-tokens-server hold, including clients that
never acknowledge SETTINGS, which gRPC 1.51 does not bound in-process
(docs/security.md). Each flood goes through nginx while the server's RSS is
measured; meanwhile a health check straight to the server and one through the
proxy from another client address are answered.

Run by ctest with Debian's /usr/bin/python3 (python3-h2) and nginx-light;
VUT_SERVER_PATH names the server binary.
"""

import os
import tempfile
import unittest

import h2_attacks as attacks

SERVER = os.environ.get("VUT_SERVER_PATH", "")
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "helm", "vercel-user-tokens", "files",
                        "front-proxy.conf.in")
# The bound: no client raises the server's RSS by more than this
# above idle. Without the proxy, 20,000 unacknowledged streams on one
# connection took it from 23 to 260 MiB.
MAX_GROWTH_MIB = 64
# A second client, on another loopback address than the attacker's.
OTHER_CLIENT = "127.0.0.2"
HOLD_SECONDS = 2
# How long a health check may take during a flood on this shared machine
# before it counts as not answered.
ANSWER_WAIT = 30
OK = 0


class FrontProxyTest(unittest.TestCase):

    def setUp(self):
        attacks.raise_fd_limit()
        self.server = attacks.Server(SERVER)
        self.addCleanup(self.server.stop)
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        self.proxy = attacks.FrontProxy(TEMPLATE, self.server.address,
                                        work.name)
        self.addCleanup(self.proxy.stop)
        # The proxy serves once a call goes through it.
        self.assertEqual(attacks.health_check(self.proxy.address,
                                              timeout=20), OK)
        self.idle_rss = self.server.rss_mib()

    def others_served(self):
        """What two other clients get while the flood is held: a health
        check straight to the server, and one through the proxy."""
        return (attacks.health_check(self.server.address, ANSWER_WAIT),
                attacks.health_check(self.proxy.address, ANSWER_WAIT,
                                     source=OTHER_CLIENT))

    def assert_bounded(self, result):
        self.assertTrue(self.server.alive())
        growth = self.server.peak_rss_mib() - self.idle_rss
        self.assertLess(growth, MAX_GROWTH_MIB, result)

    def test_unacknowledged_settings_do_not_lift_the_stream_cap(self):
        result = attacks.header_only_streams(
            self.proxy.address, connections=1, streams=20000,
            hold_seconds=HOLD_SECONDS, ack_settings=False,
            during=self.others_served)

        self.assertEqual(result["during"], (OK, OK), result)
        # nginx refuses the streams past 100 and then closes the connection.
        self.assertTrue(result["refused"] >= 100 or
                        result["connections_closed"] == 1, result)
        self.assert_bounded(result)

    def test_header_only_streams_on_many_connections_are_bounded(self):
        result = attacks.header_only_streams(
            self.proxy.address, connections=200, streams=20000,
            hold_seconds=HOLD_SECONDS, ack_settings=False,
            during=self.others_served)

        self.assertEqual(result["during"], (OK, OK), result)
        self.assertGreater(result["refused"], 19000, result)
        self.assert_bounded(result)

    def test_rapid_resets_are_bounded(self):
        result = attacks.rapid_resets(self.proxy.address, connections=20,
                                      streams=2000,
                                      during=self.others_served)

        self.assertEqual(result["during"], (OK, OK), result)
        self.assert_bounded(result)

    def test_answers_the_client_never_reads_are_bounded(self):
        # Straight to the server this held 168 MiB more than idle.
        result = attacks.unread_answers(self.proxy.address, connections=100,
                                        streams=100,
                                        hold_seconds=HOLD_SECONDS,
                                        during=self.others_served)

        self.assertEqual(result["during"], (OK, OK), result)
        self.assert_bounded(result)

    def test_thousands_of_idle_connections_are_bounded(self):
        result = attacks.idle_connections(
            self.proxy.address, 3000, HOLD_SECONDS,
            during=lambda: attacks.health_check(self.server.address,
                                               ANSWER_WAIT))

        self.assertEqual(result["during"], OK, result)
        self.assert_bounded(result)


if __name__ == "__main__":
    if not SERVER:
        raise SystemExit("set VUT_SERVER_PATH to the server binary")
    unittest.main()
