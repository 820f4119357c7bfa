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

import os
import re
import resource
import socket
import ssl
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
                 receive_window=None, tls=None):
        host, port = address.rsplit(":", 1)
        self._ack_settings = ack_settings
        self.authority = address
        self._scheme = "http" if tls is None else "https"
        self.sock = socket.create_connection(
            (host, int(port)), timeout=10,
            source_address=(source, 0) if source else None)
        if tls is not None:
            # `tls`: an ssl.SSLContext that offers ALPN h2 (tls_context).
            try:
                self.sock = tls.wrap_socket(self.sock,
                                            server_hostname="localhost")
            except BaseException:
                self.sock.close()
                raise
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
            headers = [(":method", "POST"), (":scheme", self._scheme),
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
        except (BlockingIOError, ssl.SSLWantReadError):
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
                    elif (name in (":status", b":status") and
                          value not in ("200", b"200") and
                          "END_STREAM" in frame.flags):
                        # An HTTP error without gRPC trailers (e.g. nginx
                        # refusing a request): "http <code>".
                        with self._cond:
                            self.statuses.setdefault(
                                frame.stream_id,
                                "http " + (value.decode()
                                           if isinstance(value, bytes)
                                           else value))
                            self._cond.notify_all()
        elif isinstance(frame, h2frame.RstStreamFrame):
            with self._cond:
                self.resets[frame.stream_id] = frame.error_code
                self._cond.notify_all()
        elif isinstance(frame, h2frame.GoAwayFrame):
            with self._cond:
                self.goaway = frame.error_code
                self._cond.notify_all()


class Pki:
    """CAs and certificates made with the openssl command in `directory`."""

    def __init__(self, directory):
        self.dir = directory

    def path(self, name):
        return os.path.join(self.dir, name)

    def _openssl(self, *args):
        subprocess.run(["openssl"] + list(args), cwd=self.dir, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def ca(self, name):
        self._openssl("req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                      f"{name}.key", "-out", f"{name}.crt", "-days", "2",
                      "-subj", f"/CN={name}")
        return self.path(f"{name}.crt")

    def issue(self, name, ca, subject, extensions):
        """A certificate `name`.crt (key `name`.key) signed by CA `ca`."""
        with open(self.path(f"{name}.ext"), "w") as f:
            f.write("\n".join(extensions) + "\n")
        self._openssl("req", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                      f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        self._openssl("x509", "-req", "-in", f"{name}.csr", "-CA",
                      f"{ca}.crt", "-CAkey", f"{ca}.key", "-set_serial",
                      "0x" + os.urandom(8).hex(), "-days", "2", "-extfile",
                      f"{name}.ext", "-out", f"{name}.crt")
        return self.path(f"{name}.crt"), self.path(f"{name}.key")

    def server(self, name, ca):
        return self.issue(name, ca, f"/CN={name}", [
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "extendedKeyUsage=serverAuth"])

    def client(self, name, ca, uri):
        return self.issue(name, ca, f"/CN={name}", [
            f"subjectAltName=URI:{uri}", "extendedKeyUsage=clientAuth"])


def tls_context(ca=None, cert=None, key=None):
    """A client ssl.SSLContext offering ALPN h2: it verifies the server's
    certificate against `ca` (for the name "localhost") when given, and
    presents `cert` and `key` when given."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.set_alpn_protocols(["h2"])
    if ca:
        context.load_verify_locations(ca)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if cert:
        context.load_cert_chain(cert, key)
    return context


def render_front_proxy(template, listen, upstream, work_dir, mode="plain",
                       tls_cert=None, tls_key=None, client_ca=None):
    """helm/vercel-user-tokens/files/front-proxy.conf.in rendered as the
    chart renders it: the placeholders replaced, the lines of `mode`
    ("plain", "tls" or "mtls") taken out of their comment and those of the
    other modes left out."""
    enabled = {"plain": ("plain",), "tls": ("tls",),
               "mtls": ("tls", "mtls")}[mode]
    lines = []
    with open(template) as f:
        for line in f:
            marker = re.match(r"#(plain|tls|mtls)# ", line)
            if marker is None:
                lines.append(line)
            elif marker.group(1) in enabled:
                lines.append(line[marker.end():])
    conf = "".join(lines)
    for placeholder, value in (("@LISTEN@", listen), ("@UPSTREAM@", upstream),
                               ("@DIR@", work_dir), ("@TLS_CERT@", tls_cert),
                               ("@TLS_KEY@", tls_key),
                               ("@CLIENT_CA@", client_ca)):
        if value is not None:
            conf = conf.replace(placeholder, value)
    return conf


class FrontProxy:
    """nginx rendered from helm/vercel-user-tokens/files/front-proxy.conf.in in `work_dir`,
    in front of the server at `upstream` ("host:port"). It listens on a
    socket this process binds to 127.0.0.1:0 and hands over (nginx takes
    listening sockets from its NGINX environment variable), so no port is
    guessed. With `mode` "tls" or "mtls" it serves TLS with `tls_cert` and
    `tls_key` (and verifies client certificates against `client_ca`), run as
    the chart runs it: by files/front-proxy-run.sh, which reloads nginx
    when one of those files changed, checked every `reload_interval`
    seconds. Use as a context manager: leaving it stops nginx."""

    def __init__(self, template, upstream, work_dir, mode="plain",
                 tls_cert=None, tls_key=None, client_ca=None,
                 reload_interval=1):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1024)
        self.address = "127.0.0.1:%d" % self._listener.getsockname()[1]
        conf = render_front_proxy(template, self.address, upstream, work_dir,
                                  mode, tls_cert, tls_key, client_ca)
        conf_path = work_dir + "/nginx.conf"
        with open(conf_path, "w") as f:
            f.write(conf)
        fd = self._listener.fileno()
        nginx_args = ["-p", work_dir, "-c", conf_path, "-e",
                      work_dir + "/nginx-error.log"]
        if mode == "plain":
            argv = ["nginx"] + nginx_args
        else:
            watched = [p for p in (tls_cert, tls_key, client_ca) if p]
            argv = (["/bin/sh", os.path.join(os.path.dirname(template),
                                             "front-proxy-run.sh"),
                     str(reload_interval)] + watched + ["--"] + nginx_args)
        self.process = subprocess.Popen(
            argv,
            env={"NGINX": f"{fd};", "PATH": "/usr/sbin:/usr/bin:/bin"},
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

    def _sum_kib(self, field):
        total = 0
        pids = [self.process.pid]
        for pid in pids:
            pids.extend(_children(pid))
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith(field + ":"):
                            total += int(line.split()[1])
            except FileNotFoundError:
                continue
        return total

    def rss_mib(self):
        """The resident memory of nginx (master and workers, and the
        front-proxy-run.sh shell with TLS) now, in MiB."""
        return self._sum_kib("VmRSS") / 1024

    def peak_rss_mib(self):
        """The sum of those processes' largest resident memory so far
        (VmHWM), in MiB: at least their peak together."""
        return self._sum_kib("VmHWM") / 1024


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        return []


def health_check(address, timeout=5, source=None, tls=None,
                 extra_headers=()):
    """One grpc.health.v1.Health/Check on a new connection to `address`
    (from `source`, a local IP, if given). Returns its grpc-status, or how
    the call ended otherwise (see describe_end)."""
    conn = RawH2(address, source=source, tls=tls)
    try:
        stream = conn.open_stream(path=HEALTH_CHECK,
                                  extra_headers=extra_headers)
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
                        ack_settings=True, during=None, tls=None):
    """Opens `streams` gRPC streams spread over `connections` connections,
    once the server's SETTINGS came (and, with `ack_settings`, were
    acknowledged, so that they apply); each stream sends its HEADERS and never
    its message. Holds them `hold_seconds` (so the server's memory shows
    them), then reports how many the server refused (RST_STREAM) and whether
    it closed any connection. `during`, if given, is called while the streams
    are held and its result is reported as "during"."""
    conns = [RawH2(address, ack_settings=ack_settings, tls=tls)
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


def rapid_resets(address, connections, streams, during=None, tls=None):
    """On each of `connections` connections, opens `streams` streams and
    resets each (RST_STREAM CANCEL) right after its HEADERS, without
    acknowledging the server's SETTINGS. Returns how many streams were sent
    and how many connections the server closed or sent away; `during`, if
    given, is called after the resets and reported as "during"."""
    conns = [RawH2(address, ack_settings=False, tls=tls)
             for _ in range(connections)]
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


def idle_connections(address, count, hold_seconds, during=None, tls=None):
    """Opens `count` connections that send the HTTP/2 preface and nothing
    else, holds them `hold_seconds`, and reports how many the server closed
    meanwhile (and, if `during` is given, what it returned while they were
    held)."""
    conns = []
    try:
        refused = 0
        for _ in range(count):
            try:
                conns.append(RawH2(address, reader=False, tls=tls))
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
