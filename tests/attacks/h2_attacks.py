"""Hostile HTTP/2 clients of vercel-tokens-server, and the server to aim them at.

Each attack is what a client without any credentials can do to a gRPC server
on its own: send a small gzip message that inflates to 256 MiB, open many
streams that never send their message, or open many connections and leave
them idle. The client drives HTTP/2 frame by frame (hyperframe and hpack,
which Debian's python3-h2 brings), so it ignores the server's limits the way
an attacker would; it still answers SETTINGS and PING, as any client must.

Used by tests/attacks/hostile_clients_test.py (assertions) and
bench/hostile_clients.py (peak RSS before and after). Everything talks to
loopback only and every wait is bounded.
"""

import re
import resource
import socket
import subprocess
import threading
import time
import zlib

import hpack
from hyperframe import frame as h2frame

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
GET_AUTH_TOKEN = "/vercel.authentication.v1.UserTokensService/GetAuthToken"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
# HTTP/2 error codes the server may send.
REFUSED_STREAM = 0x7
ENHANCE_YOUR_CALM = 0xB
# gRPC status codes.
CANCELLED = 1
RESOURCE_EXHAUSTED = 8
UNIMPLEMENTED = 12
# Upstream origin of a server under attack: nothing listens there, and no
# attack needs the upstream.
NO_UPSTREAM = "http://127.0.0.1:9"
_LISTENING = re.compile(r'"msg":"listening".*"address":"([^"]+)"')


def gzip_of_zeros(size):
    """A gzip stream of `size` zero bytes (256 MiB make about 254 KiB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = []
    for _ in range(size // len(chunk)):
        parts.append(compressor.compress(chunk))
    parts.append(compressor.compress(bytes(size % len(chunk))))
    parts.append(compressor.flush())
    return b"".join(parts)


class RawH2:
    """One HTTP/2 connection to `address` ("host:port"), driven frame by frame.

    With `reader`, a thread reads the server's frames for the connection's
    life: it acknowledges SETTINGS and PING, tracks flow-control windows and
    records each stream's grpc-status, each RST_STREAM, a GOAWAY and the
    close. Without it nothing is read (idle connections); `closed_by_peer()`
    then tells whether the server has closed the connection.
    """

    def __init__(self, address, reader=True, ack_settings=True, source=None,
                 receive_window=None):
        host, port = address.rsplit(":", 1)
        self._ack_settings = ack_settings
        self.authority = address
        self.sock = socket.create_connection(
            (host, int(port)), timeout=10,
            source_address=(source, 0) if source else None)
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self._encoder = hpack.Encoder()
        self._decoder = hpack.Decoder()
        self._next_stream = 1
        self._initial_window = 65535
        self._conn_window = 65535
        self._stream_windows = {}
        self.statuses = {}  # stream id -> grpc-status
        self.resets = {}  # stream id -> RST_STREAM error code
        self.goaway = None  # GOAWAY error code
        self.closed = False
        self.closed_at = None
        self.settings_received = False  # The server's SETTINGS came.
        self.settings_acked = False  # We acknowledged the server's SETTINGS.
        self._reader = None
        settings = h2frame.SettingsFrame(0)
        if receive_window is None:
            settings.settings[h2frame.SettingsFrame.INITIAL_WINDOW_SIZE] = (
                (1 << 31) - 1)
            self._send(PREFACE + settings.serialize() +
                       h2frame.WindowUpdateFrame(
                           0, window_increment=1 << 30).serialize())
        else:
            settings.settings[h2frame.SettingsFrame.INITIAL_WINDOW_SIZE] = (
                receive_window)
            self._send(PREFACE + settings.serialize())
        if reader:
            self._reader = threading.Thread(target=self._read_loop,
                                            daemon=True)
            self._reader.start()

    def _send(self, data):
        with self._send_lock:
            self.sock.sendall(data)

    def open_stream(self, path=GET_AUTH_TOKEN, extra_headers=(),
                    end_stream=False):
        """Sends the HEADERS of a new gRPC call; returns its stream id."""
        with self._send_lock:
            stream_id = self._next_stream
            self._next_stream += 2
            headers = [(":method", "POST"), (":scheme", "http"),
                       (":path", path), (":authority", self.authority),
                       ("content-type", "application/grpc"),
                       ("te", "trailers")] + list(extra_headers)
            frame = h2frame.HeadersFrame(stream_id,
                                         data=self._encoder.encode(headers))
            frame.flags.add("END_HEADERS")
            if end_stream:
                frame.flags.add("END_STREAM")
            with self._cond:
                self._stream_windows[stream_id] = self._initial_window
            self.sock.sendall(frame.serialize())
        return stream_id

    def send_message(self, stream_id, payload, compressed, timeout=60):
        """Sends one gRPC message on `stream_id` and ends the stream, within
        the server's flow-control windows. Returns False when the server
        stopped the stream or the connection first, or `timeout` passed."""
        data = (bytes([1 if compressed else 0]) +
                len(payload).to_bytes(4, "big") + payload)
        deadline = time.monotonic() + timeout
        offset = 0
        while offset < len(data):
            with self._cond:
                while True:
                    if self._stopped(stream_id):
                        return False
                    window = min(self._conn_window,
                                 self._stream_windows[stream_id], 16384)
                    if window > 0:
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return False
                    self._cond.wait(remaining)
                chunk = data[offset:offset + window]
                self._conn_window -= len(chunk)
                self._stream_windows[stream_id] -= len(chunk)
            offset += len(chunk)
            frame = h2frame.DataFrame(stream_id, data=chunk)
            if offset == len(data):
                frame.flags.add("END_STREAM")
            try:
                self._send(frame.serialize())
            except OSError:
                return False
        return True

    def _stopped(self, stream_id):
        return (self.closed or stream_id in self.resets or
                stream_id in self.statuses)

    def wait_stream_end(self, stream_id, timeout):
        """Waits until the server ends `stream_id` (status, reset or close; a
        GOAWAY lets open streams finish); returns the seconds it took, or None after `timeout`."""
        start = time.monotonic()
        with self._cond:
            if self._cond.wait_for(lambda: self._stopped(stream_id), timeout):
                return time.monotonic() - start
        return None

    def wait_closed(self, timeout):
        """Waits until the server closes the connection; returns whether it
        did within `timeout`."""
        with self._cond:
            return self._cond.wait_for(lambda: self.closed, timeout)

    def wait_settings(self, timeout):
        """Waits until the server's SETTINGS (e.g. its stream cap) are
        acknowledged, so that they apply; returns whether that happened
        within `timeout`."""
        with self._cond:
            return self._cond.wait_for(lambda: self.settings_acked, timeout)

    def wait_settings_received(self, timeout):
        """Waits until the server's SETTINGS arrive (acknowledged or not);
        returns whether they did within `timeout`."""
        with self._cond:
            return self._cond.wait_for(lambda: self.settings_received,
                                       timeout)

    def wait_sent_away(self, timeout):
        """Waits until the server sends GOAWAY or closes the connection;
        returns whether it did within `timeout`."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self.closed or self.goaway is not None, timeout)

    def closed_by_peer(self):
        """Without a reader: whether the server has closed the connection
        (reads what it sent, without waiting)."""
        self.sock.setblocking(False)
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    return True
        except BlockingIOError:
            return False
        except OSError:
            return True

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        if self._reader is not None:
            self._reader.join(timeout=10)

    def _read_exactly(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def _read_loop(self):
        self.sock.settimeout(None)
        block = {}
        try:
            while True:
                frame, length = h2frame.Frame.parse_frame_header(
                    memoryview(self._read_exactly(9)))
                frame.parse_body(memoryview(self._read_exactly(length)))
                self._on_frame(frame, block)
        except (EOFError, OSError, ValueError):
            pass
        finally:
            with self._cond:
                self.closed = True
                self.closed_at = time.monotonic()
                self._cond.notify_all()

    def _on_frame(self, frame, block):
        if isinstance(frame, h2frame.SettingsFrame):
            if "ACK" in frame.flags:
                return
            size = frame.settings.get(h2frame.SettingsFrame.INITIAL_WINDOW_SIZE)
            with self._cond:
                if size is not None:
                    delta = size - self._initial_window
                    self._initial_window = size
                    for stream_id in self._stream_windows:
                        self._stream_windows[stream_id] += delta
                self.settings_received = True
                self._cond.notify_all()
            if not self._ack_settings:
                return
            self._send(h2frame.SettingsFrame(0, flags=["ACK"]).serialize())
            with self._cond:
                self.settings_acked = True
                self._cond.notify_all()
        elif isinstance(frame, h2frame.PingFrame):
            if "ACK" not in frame.flags:
                self._send(h2frame.PingFrame(
                    0, opaque_data=frame.opaque_data,
                    flags=["ACK"]).serialize())
        elif isinstance(frame, h2frame.WindowUpdateFrame):
            with self._cond:
                if frame.stream_id == 0:
                    self._conn_window += frame.window_increment
                elif frame.stream_id in self._stream_windows:
                    self._stream_windows[frame.stream_id] += (
                        frame.window_increment)
                self._cond.notify_all()
        elif isinstance(frame, (h2frame.HeadersFrame,
                                h2frame.ContinuationFrame)):
            block.setdefault(frame.stream_id, b"")
            block[frame.stream_id] += frame.data
            if "END_HEADERS" in frame.flags:
                headers = self._decoder.decode(block.pop(frame.stream_id))
                for name, value in headers:
                    if name in ("grpc-status", b"grpc-status"):
                        with self._cond:
                            self.statuses[frame.stream_id] = int(value)
                            self._cond.notify_all()
        elif isinstance(frame, h2frame.RstStreamFrame):
            with self._cond:
                self.resets[frame.stream_id] = frame.error_code
                self._cond.notify_all()
        elif isinstance(frame, h2frame.GoAwayFrame):
            with self._cond:
                self.goaway = frame.error_code
                self._cond.notify_all()


class FrontProxy:
    """nginx rendered from helm/vercel-user-tokens/files/front-proxy.conf.in in `work_dir`,
    in front of the server at `upstream` ("host:port"). It listens on a
    socket this process binds to 127.0.0.1:0 and hands over (nginx takes
    listening sockets from its NGINX environment variable), so no port is
    guessed. Use as a context manager: leaving it stops nginx."""

    def __init__(self, template, upstream, work_dir):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1024)
        self.address = "127.0.0.1:%d" % self._listener.getsockname()[1]
        with open(template) as f:
            conf = (f.read().replace("@LISTEN@", self.address)
                    .replace("@UPSTREAM@", upstream)
                    .replace("@DIR@", work_dir))
        conf_path = work_dir + "/nginx.conf"
        with open(conf_path, "w") as f:
            f.write(conf)
        fd = self._listener.fileno()
        self.process = subprocess.Popen(
            ["nginx", "-p", work_dir, "-c", conf_path, "-e",
             work_dir + "/nginx-error.log"],
            env={"NGINX": f"{fd};", "PATH": "/usr/sbin:/usr/bin"},
            pass_fds=(fd,), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._work_dir = work_dir

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        self._listener.close()

    def rss_mib(self):
        """nginx's resident memory (master and workers), in MiB."""
        total = 0
        pids = [self.process.pid] + _children(self.process.pid)
        for pid in pids:
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except FileNotFoundError:
                continue
        return total / 1024


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def health_check(address, timeout=5, source=None):
    """One grpc.health.v1.Health/Check on a new connection to `address`
    (from `source`, a local IP, if given). Returns its grpc-status, or how
    the call ended otherwise (see describe_end)."""
    conn = RawH2(address, source=source)
    try:
        stream = conn.open_stream(path=HEALTH_CHECK)
        conn.send_message(stream, b"", compressed=False, timeout=timeout)
        conn.wait_stream_end(stream, timeout)
        if stream in conn.statuses:
            return conn.statuses[stream]
        return describe_end(conn, stream)
    finally:
        conn.close()


def raise_fd_limit():
    """Raises this process's open-file limit to its hard limit (the server
    spawned from it inherits it); returns the new limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


class Server:
    """vercel-tokens-server `binary` on 127.0.0.1:0 with `flags`, pointed at
    NO_UPSTREAM; its stderr is drained by a thread. Use as a context manager:
    leaving it kills the server."""

    def __init__(self, binary, flags=()):
        self.process = subprocess.Popen(
            [binary, "--listen=127.0.0.1:0",
             "--vercel_api_base_url=" + NO_UPSTREAM] + list(flags),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.address = None
        self.lines = []
        ready = threading.Event()

        def drain():
            for line in self.process.stderr:
                self.lines.append(line)
                match = _LISTENING.search(line)
                if match:
                    self.address = match.group(1)
                    ready.set()
            ready.set()

        self._drainer = threading.Thread(target=drain, daemon=True)
        self._drainer.start()
        if not ready.wait(30) or self.address is None:
            self.stop()
            raise RuntimeError("the server did not start: " +
                               "".join(self.lines))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        self._drainer.join(timeout=10)

    def _status_kib(self, field):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        raise RuntimeError(f"no {field} for the server")

    def rss_mib(self):
        """The server's resident memory now, in MiB."""
        return self._status_kib("VmRSS") / 1024

    def peak_rss_mib(self):
        """The server's largest resident memory so far (VmHWM), in MiB."""
        return self._status_kib("VmHWM") / 1024

    def alive(self):
        return self.process.poll() is None


def compressed_bombs(address, count, size=256 << 20, timeout=120):
    """`count` connections at once, each sending one GetAuthToken whose
    gzip-compressed message inflates to `size` bytes. Returns what each
    call got: its grpc-status, "reset <code>", "goaway <code>" or
    "closed"/"no answer"."""
    bomb = gzip_of_zeros(size)
    results = [None] * count

    def one(i):
        conn = RawH2(address)
        try:
            stream = conn.open_stream(extra_headers=[("grpc-encoding",
                                                      "gzip")])
            conn.send_message(stream, bomb, compressed=True, timeout=timeout)
            conn.wait_stream_end(stream, timeout)
            results[i] = describe_end(conn, stream)
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def oversized_message(address, size, timeout=60):
    """One GetAuthToken whose uncompressed message announces and sends `size`
    bytes, as far as the server's flow control lets it. Returns how the
    server ended the call (see describe_end)."""
    conn = RawH2(address)
    try:
        stream = conn.open_stream()
        conn.send_message(stream, bytes(size), compressed=False,
                          timeout=timeout)
        conn.wait_stream_end(stream, timeout)
        return describe_end(conn, stream)
    finally:
        conn.close()


def describe_end(conn, stream):
    """How the server ended `stream` on `conn`, as text."""
    if stream in conn.statuses:
        return f"grpc-status {conn.statuses[stream]}"
    if stream in conn.resets:
        return f"reset {conn.resets[stream]}"
    if conn.goaway is not None:
        return f"goaway {conn.goaway}"
    return "closed" if conn.closed else "no answer"


def header_only_streams(address, connections, streams, hold_seconds,
                        ack_settings=True, during=None):
    """Opens `streams` gRPC streams spread over `connections` connections,
    once the server's SETTINGS came (and, with `ack_settings`, were
    acknowledged, so that they apply); each stream sends its HEADERS and never
    its message. Holds them `hold_seconds` (so the server's memory shows
    them), then reports how many the server refused (RST_STREAM) and whether
    it closed any connection. `during`, if given, is called while the streams
    are held and its result is reported as "during"."""
    conns = [RawH2(address, ack_settings=ack_settings)
             for _ in range(connections)]
    opened = 0
    try:
        for conn in conns:
            if ack_settings:
                conn.wait_settings(10)
            else:
                conn.wait_settings_received(10)
        for i in range(streams):
            conn = conns[i % connections]
            if conn.closed:
                continue
            try:
                conn.open_stream()
                opened += 1
            except OSError:
                continue
        time.sleep(hold_seconds)
        result = {"during": during() if during else None}
        refused = sum(len(c.resets) for c in conns)
        closed = sum(1 for c in conns if c.closed or c.goaway is not None)
        result.update({"opened": opened, "refused": refused,
                       "connections_closed": closed})
        return result
    finally:
        for c in conns:
            c.close()


def rapid_resets(address, connections, streams, during=None):
    """On each of `connections` connections, opens `streams` streams and
    resets each (RST_STREAM CANCEL) right after its HEADERS, without
    acknowledging the server's SETTINGS. Returns how many streams were sent
    and how many connections the server closed or sent away; `during`, if
    given, is called after the resets and reported as "during"."""
    conns = [RawH2(address, ack_settings=False) for _ in range(connections)]
    sent = 0
    try:
        for conn in conns:
            conn.wait_settings_received(10)
        for _ in range(streams):
            for conn in conns:
                if conn.closed:
                    continue
                try:
                    stream = conn.open_stream()
                    conn._send(h2frame.RstStreamFrame(
                        stream, error_code=0x8).serialize())
                    sent += 1
                except OSError:
                    continue
        result = {"during": during() if during else None, "sent": sent}
        result["connections_closed"] = sum(
            1 for c in conns if c.closed or c.goaway is not None)
        return result
    finally:
        for c in conns:
            c.close()


def unread_answers(address, connections, streams, hold_seconds, during=None):
    """Window games: on each of `connections` connections, whose receive
    window is 0, sends `streams` complete Health/Check calls, so that the
    server has each answer and may not send it. Holds them `hold_seconds`;
    reports how many calls were sent and how many the server refused or
    ended, and what `during` returned while they were held."""
    conns = [RawH2(address, receive_window=0) for _ in range(connections)]
    sent = 0
    try:
        for conn in conns:
            conn.wait_settings(10)
        for _ in range(streams):
            for conn in conns:
                if conn.closed:
                    continue
                try:
                    stream = conn.open_stream(path=HEALTH_CHECK)
                    conn.send_message(stream, b"", compressed=False,
                                      timeout=1)
                    sent += 1
                except OSError:
                    continue
        time.sleep(hold_seconds)
        result = {"during": during() if during else None, "sent": sent}
        result["ended"] = sum(len(c.resets) + len(c.statuses) for c in conns)
        result["connections_closed"] = sum(
            1 for c in conns if c.closed or c.goaway is not None)
        return result
    finally:
        for c in conns:
            c.close()


def idle_connections(address, count, hold_seconds, during=None):
    """Opens `count` connections that send the HTTP/2 preface and nothing
    else, holds them `hold_seconds`, and reports how many the server closed
    meanwhile (and, if `during` is given, what it returned while they were
    held)."""
    conns = []
    try:
        refused = 0
        for _ in range(count):
            try:
                conns.append(RawH2(address, reader=False))
            except OSError:
                refused += 1
        time.sleep(hold_seconds)
        return {"during": during() if during else None,
                "opened": len(conns), "not_accepted": refused,
                "closed_by_server": sum(1 for c in conns
                                        if c.closed_by_peer())}
    finally:
        for c in conns:
            c.sock.close()


def message_never_sent(address, timeout):
    """One stream that sends its HEADERS and never its message. Returns the
    seconds until the server ended it (reset or close), or None when
    it still waits after `timeout`."""
    conn = RawH2(address)
    try:
        stream = conn.open_stream()
        return conn.wait_stream_end(stream, timeout)
    finally:
        conn.close()


def silent_connection(address, timeout):
    """A TCP connection that never sends the HTTP/2 preface (nor answers
    anything). Returns the seconds until the server closed it, or None after
    `timeout`."""
    host, port = address.rsplit(":", 1)
    start = time.monotonic()
    deadline = start + timeout
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            sock.settimeout(remaining)
            try:
                if not sock.recv(65536):
                    return time.monotonic() - start
            except socket.timeout:
                return None
            except OSError:
                return time.monotonic() - start
