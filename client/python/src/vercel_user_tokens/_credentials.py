"""Tokens that can change while a client lives: a credential provider, a
token file that is re-read when it changes, and the workload token file
(client/SPEC.md, sections 6 and 7)."""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, Optional, Tuple

import grpc

from . import errors

# A function returning the caller's current Vercel token ("" for none).
TokenProvider = Callable[[], str]

# Re-read a token file at least this often, changed or not.
REREAD_INTERVAL_S = 60.0

_REASON = "CREDENTIALS_UNAVAILABLE"


def credentials_unavailable(message: str) -> errors.Unauthenticated:
    """The error of a call whose credentials could not be had; raised
    before anything is sent."""
    return errors.Unauthenticated(grpc.StatusCode.UNAUTHENTICATED, message,
                                  reason=_REASON, domain=errors.CLIENT_DOMAIN)


class TokenFile:
    """A token kept in a file that something else rewrites: a projected
    ServiceAccount token the kubelet rotates, or a Vercel token a secret
    manager renews.

    `read()` returns the file's contents, surrounding whitespace trimmed. It
    reads the file again when the file changed (another inode, size or
    modification time, following symlinks, as the kubelet swaps `..data`)
    and at least every REREAD_INTERVAL_S seconds. When a read fails or finds
    the file empty, the last good value is kept; without one, read() raises
    Unauthenticated (reason CREDENTIALS_UNAVAILABLE), naming the file but
    never its contents. Thread-safe.
    """

    def __init__(self, path: str,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._value = ""
        self._identity: Optional[Tuple[int, int, int]] = None
        self._read_at = 0.0

    def __call__(self) -> str:
        return self.read()

    def read(self) -> str:
        with self._lock:
            try:
                status = os.stat(self.path)
                identity = (status.st_ino, status.st_size, status.st_mtime_ns)
            except OSError:
                identity = None
            stale = self._clock() - self._read_at >= REREAD_INTERVAL_S
            if identity is not None and (identity != self._identity or stale
                                         or not self._value):
                try:
                    with open(self.path, encoding="utf-8") as file:
                        value = file.read().strip()
                except (OSError, UnicodeDecodeError):
                    value = ""
                if value:
                    self._value, self._identity = value, identity
                    self._read_at = self._clock()
            if not self._value:
                raise credentials_unavailable(
                    f"cannot read a token from {self.path}")
            return self._value


def token_file(path: str) -> TokenProvider:
    """A credential provider reading the caller's Vercel token from `path`
    (see TokenFile for when it is re-read):

        Client(target, token_provider=token_file("/var/run/secrets/vercel/token"))
    """
    return TokenFile(path)
