"""Hostile clients against the real server: each attack is refused or cut off
as its flag says, and the server's memory stays bounded.

Run by ctest with Debian's /usr/bin/python3 (python3-h2 brings hyperframe
and hpack); VUT_SERVER_PATH names the server binary. No upstream is needed:
every attack comes before a handler would call Vercel.
"""

import os
import time
import unittest

import h2_attacks as attacks

SERVER = os.environ.get("VUT_SERVER_PATH", "")
# Growth of the server's peak RSS an attack may cause (the unbounded server
# grew by 270 MB from one compressed request).
MAX_GROWTH_MIB = 48
# How long a test waits for the server to cut an attack off; the flags under
# test are a second or two.
CUTOFF_WAIT_SECONDS = 20
# After a flood ends the server's RSS comes back within this of where it
# started, within MEMORY_RETURN_SECONDS (with glibc's malloc it stayed at
# the peak: 23 MiB at start, 274 MiB 10 s after 20,000 streams closed).
MAX_RETAINED_MIB = 32
MEMORY_RETURN_SECONDS = 10


class HostileClientsTest(unittest.TestCase):

    def start(self, *flags):
        attacks.raise_fd_limit()
        server = attacks.Server(SERVER, flags)
        self.addCleanup(server.stop)
        return server

    def assert_memory_bounded(self, server, baseline):
        self.assertTrue(server.alive())
        self.assertLess(server.peak_rss_mib() - baseline, MAX_GROWTH_MIB)

    def test_compressed_requests_are_refused_before_they_inflate(self):
        server = self.start()
        baseline = server.rss_mib()

        # Four at once, each 256 MiB of zeros in about 254 KiB of gzip.
        results = attacks.compressed_bombs(server.address, 4)

        self.assertEqual(results, [f"grpc-status {attacks.UNIMPLEMENTED}"] * 4)
        self.assert_memory_bounded(server, baseline)

    def test_request_over_max_request_bytes_is_refused_within_the_memory_limit(
            self):
        server = self.start("--max_request_bytes=4096")
        baseline = server.rss_mib()
        conn = attacks.RawH2(server.address)
        self.addCleanup(conn.close)
        stream = conn.open_stream()

        # Announces a 64 MiB message and tries to send all of it.
        conn.send_message(stream, bytes(64 << 20), compressed=False,
                          timeout=30)

        # gRPC checks the size once the message is in; before that, the
        # memory limit resets the stream (or cancels the call).
        self.assertIsNotNone(conn.wait_stream_end(stream, CUTOFF_WAIT_SECONDS))
        self.assertIn(attacks.describe_end(conn, stream),
                      [f"grpc-status {attacks.RESOURCE_EXHAUSTED}",
                       f"grpc-status {attacks.CANCELLED}",
                       f"reset {attacks.ENHANCE_YOUR_CALM}"])
        self.assert_memory_bounded(server, baseline)

    def test_streams_beyond_max_concurrent_streams_are_refused(self):
        server = self.start("--max_concurrent_streams=10")
        baseline = server.rss_mib()

        result = attacks.header_only_streams(server.address, connections=1,
                                             streams=200, hold_seconds=1)

        # The server refuses the streams past its cap (RST_STREAM), and may
        # close a connection that keeps opening them.
        self.assertTrue(result["refused"] >= 190 or
                        result["connections_closed"] == 1, result)
        self.assert_memory_bounded(server, baseline)

    def test_memory_comes_back_after_a_flood(self):
        server = self.start()
        start_rss = server.rss_mib()

        # 100 header-only streams on each of 200 connections: within the
        # stream cap, about 250 MiB while held.
        result = attacks.header_only_streams(server.address, connections=200,
                                             streams=20000, hold_seconds=1)
        self.assertEqual(result["opened"], 20000)
        self.assertGreater(server.peak_rss_mib() - start_rss,
                           2 * MAX_RETAINED_MIB, "the flood did not take hold")
        ended = time.monotonic()

        retained = server.rss_mib() - start_rss
        while (retained > MAX_RETAINED_MIB and
               time.monotonic() - ended < MEMORY_RETURN_SECONDS):
            time.sleep(0.1)
            retained = server.rss_mib() - start_rss
        self.assertLessEqual(retained, MAX_RETAINED_MIB)
        self.assertTrue(server.alive())

    def test_stream_whose_message_never_comes_ends_with_its_connection(self):
        server = self.start("--max_connection_age=1s",
                            "--max_connection_age_grace=1s")

        took = attacks.message_never_sent(server.address, CUTOFF_WAIT_SECONDS)

        self.assertIsNotNone(took, "the server still waits for the message")

    def test_connection_without_preface_is_closed_after_handshake_timeout(
            self):
        server = self.start("--handshake_timeout=1s")

        took = attacks.silent_connection(server.address, CUTOFF_WAIT_SECONDS)

        self.assertIsNotNone(took, "the server keeps the silent connection")
        self.assertGreater(took, 0.5)

    def test_idle_connection_is_sent_away_after_max_connection_idle(self):
        server = self.start("--max_connection_idle=1s")
        conn = attacks.RawH2(server.address)
        self.addCleanup(conn.close)
        start = time.monotonic()

        self.assertTrue(conn.wait_sent_away(CUTOFF_WAIT_SECONDS))
        self.assertGreater(time.monotonic() - start, 0.5)


if __name__ == "__main__":
    if not SERVER:
        raise SystemExit("set VUT_SERVER_PATH to the server binary")
    unittest.main()
