"""One unary gRPC call over plaintext HTTP/2, and its status decoded.

The Kubernetes tests need to send a call with metadata of their choosing
(`x-workload-token`) and read the answer's ErrorInfo reason; Debian's
python3 has python3-h2 (scripts/deps/apt-core.txt) but no grpcio, so this
module speaks the few bytes of gRPC they need: a length-prefixed message out,
grpc-status, grpc-message and grpc-status-details-bin (a google.rpc.Status)
back. Standard library and h2 only; every read is bounded by a timeout.
"""

from __future__ import annotations

import base64
import dataclasses
import socket
import struct
import urllib.parse

import h2.config
import h2.connection
import h2.events

SERVICE = "/vercel.authentication.v1.UserTokensService/"
OK = 0
UNAUTHENTICATED = 16
PERMISSION_DENIED = 7
UNAVAILABLE = 14
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"


@dataclasses.dataclass
class Reply:
    """The end of a call: its status, and the response message when OK."""
    code: int
    message: str
    details: dict[str, bytes]  # type URL -> packed message
    body: bytes

    def reason(self) -> str:
        """The ErrorInfo's reason, or "" when the status has none."""
        info = self.details.get(ERROR_INFO)
        return "" if info is None else _string_field(info, 1)

    def __str__(self) -> str:
        return f"code {self.code} {self.reason() or '-'}: {self.message}"


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """The (field number, value) pairs of a protobuf message, in order:
    varints as ints, length-delimited fields as bytes."""
    out, pos = [], 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(data, pos)
        elif wire_type == 2:
            size, pos = _varint(data, pos)
            value, pos = data[pos:pos + size], pos + size
        elif wire_type == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire_type == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire_type}")
        out.append((number, value))
    return out


def encode_strings(**numbered: str) -> bytes:
    """A protobuf message of string fields, named f<number>:
    encode_strings(f3="name") is field 3 = "name"."""
    out = b""
    for name, value in numbered.items():
        raw = value.encode()
        out += _encode_varint(int(name[1:]) << 3 | 2)
        out += _encode_varint(len(raw)) + raw
    return out


def _encode_varint(value: int) -> bytes:
    out = b""
    while value > 0x7F:
        out += bytes([value & 0x7F | 0x80])
        value >>= 7
    return out + bytes([value])


def _string_field(data: bytes, number: int) -> str:
    for n, value in fields(data):
        if n == number and isinstance(value, bytes):
            return value.decode()
    return ""


def _status_details(header: str) -> dict[str, bytes]:
    raw = base64.b64decode(header + "=" * (-len(header) % 4))
    details = {}
    for number, value in fields(raw):
        if number == 3 and isinstance(value, bytes):
            details[_string_field(value, 1)] = next(
                (v for n, v in fields(value) if n == 2), b"")
    return details


def call(address: str, method: str, request: bytes = b"",
         metadata: tuple[tuple[str, str], ...] = (),
         timeout: float = 30) -> Reply:
    """Calls `method` (e.g. "ListAuthTokens") at `address` ("host:port")
    with the serialized `request` and `metadata`; returns how it ended."""
    host, port = address.rsplit(":", 1)
    connection = h2.connection.H2Connection(h2.config.H2Configuration(
        client_side=True, header_encoding="utf-8"))
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        connection.initiate_connection()
        stream = connection.get_next_available_stream_id()
        connection.send_headers(stream, [
            (":method", "POST"), (":scheme", "http"),
            (":path", SERVICE + method), (":authority", address),
            ("content-type", "application/grpc"), ("te", "trailers"),
            *metadata])
        connection.send_data(
            stream, struct.pack(">BI", 0, len(request)) + request,
            end_stream=True)
        sock.sendall(connection.data_to_send())
        headers, body = {}, b""
        while True:
            data = sock.recv(65536)
            if not data:
                raise ConnectionError("the server closed the connection")
            for event in connection.receive_data(data):
                if isinstance(event, (h2.events.ResponseReceived,
                                      h2.events.TrailersReceived)):
                    headers.update(event.headers)
                elif isinstance(event, h2.events.DataReceived):
                    body += event.data
                    connection.acknowledge_received_data(
                        event.flow_controlled_length, stream)
                elif isinstance(event, h2.events.StreamReset):
                    raise ConnectionError(
                        f"stream reset, error {event.error_code}")
                elif isinstance(event, h2.events.StreamEnded):
                    sock.sendall(connection.data_to_send())
                    return Reply(
                        code=int(headers.get("grpc-status", "-1")),
                        message=urllib.parse.unquote(
                            headers.get("grpc-message", "")),
                        details=_status_details(
                            headers.get("grpc-status-details-bin", "")),
                        body=body[5:])
            sock.sendall(connection.data_to_send())
