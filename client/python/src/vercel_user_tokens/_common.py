"""What the blocking Client and the asyncio client share: options, the
metadata of a call, a call's deadline and retry decisions, the create's
request id and the pager's next request
(client/SPEC.md, sections 2, 3, 5 and 6)."""

from __future__ import annotations

import dataclasses
import pathlib
import random
import time
import uuid
from typing import Any, List, Optional, Sequence, Tuple

import grpc

from vercel.authentication.v1 import user_tokens_pb2 as pb

from . import errors
from ._credentials import TokenFile, TokenProvider, credentials_unavailable
from ._metadata import ResponseMetadata

# Seconds each call may take, retries included, unless the client or the
# call says otherwise.
DEFAULT_DEADLINE = 30.0

# Per-call metadata: (key, value) pairs.
CallMetadata = Sequence[Tuple[str, str]]
ChannelOption = Tuple[str, Any]

_WORKLOAD_TOKEN_KEY = "x-workload-token"


@dataclasses.dataclass(frozen=True)
class TlsOptions:
    """How to verify the server (and, for mutual TLS, what to present).

    Attributes:
      root_certificates: PEM CAs to trust; None: the system's.
      certificate_chain, private_key: PEM client certificate and key, for
        mutual TLS; both or neither.
      server_name: the name to verify the server's certificate against,
        when it differs from the target's host.
    """

    root_certificates: Optional[bytes] = None
    certificate_chain: Optional[bytes] = None
    private_key: Optional[bytes] = None
    server_name: Optional[str] = None

    @classmethod
    def from_files(cls, *, ca_file: Optional[str] = None,
                   cert_file: Optional[str] = None,
                   key_file: Optional[str] = None,
                   server_name: Optional[str] = None) -> "TlsOptions":
        """Reads the PEM files that are given."""

        def read(path: Optional[str]) -> Optional[bytes]:
            return pathlib.Path(path).read_bytes() if path else None

        return cls(read(ca_file), read(cert_file), read(key_file), server_name)


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Retries of GetAuthToken, ListAuthTokens, ListAuthTokensRaw and
    CreateAuthToken (whose request_id makes a repeat safe) that failed with
    RESOURCE_EXHAUSTED or UNAVAILABLE.

    The wait is the server's RetryInfo delay when it sent one, else a
    jittered backoff from `initial_backoff` seconds doubling per attempt. A
    wait that would end at or after the call's deadline is not waited: the
    error is raised at once. Delete and the email login are never retried.
    """

    max_attempts: int = 3
    initial_backoff: float = 0.2


_RETRYABLE = (errors.RateLimited, errors.Unavailable)


def channel_credentials(tls: Optional[TlsOptions], plaintext: bool,
                        options: List[ChannelOption]
                        ) -> Optional[grpc.ChannelCredentials]:
    """The TLS credentials of a channel (appending the server-name
    override to `options`), or None for plaintext."""
    if plaintext:
        if tls is not None:
            raise ValueError("tls and plaintext=True exclude each other")
        return None
    tls = tls or TlsOptions()
    if tls.server_name:
        options.append(("grpc.ssl_target_name_override", tls.server_name))
    return grpc.ssl_channel_credentials(
        root_certificates=tls.root_certificates, private_key=tls.private_key,
        certificate_chain=tls.certificate_chain)


class Settings:
    """A client's credentials, deadline and retry policy. Thread-safe."""

    def __init__(self, token: Optional[str],
                 token_provider: Optional[TokenProvider],
                 workload_token_file: Optional[str], deadline: float,
                 retry: Optional[RetryPolicy]) -> None:
        if token is not None and token_provider is not None:
            raise ValueError("token and token_provider exclude each other")
        self._token = token
        self._token_provider = token_provider
        self._workload_token = (TokenFile(workload_token_file)
                                if workload_token_file else None)
        self.deadline = deadline
        self.retry = retry

    def metadata(self, per_call: CallMetadata) -> List[Tuple[str, str]]:
        """The metadata of one attempt: the caller's token and the workload
        token, read now, then `per_call` (whose authorization wins)."""
        token = self._token
        if self._token_provider is not None:
            try:
                token = self._token_provider()
            except errors.ServiceError:
                raise
            except Exception as error:
                raise credentials_unavailable(
                    f"the token provider failed: {type(error).__name__}"
                ) from error
        pairs: List[Tuple[str, str]] = []
        overridden = any(key.lower() == "authorization" for key, _ in per_call)
        if token and not overridden:
            pairs.append(("authorization", f"Bearer {token}"))
        if self._workload_token is not None:
            pairs.append((_WORKLOAD_TOKEN_KEY, self._workload_token.read()))
        pairs.extend(per_call)
        return pairs


class CallAttempts:
    """One call's deadline and retries, kept the same way by the blocking
    and the asyncio client's loops: how long the next attempt may take, and
    what to do after a failed one."""

    def __init__(self, settings: Settings, timeout: Optional[float],
                 retryable: bool) -> None:
        self._retry = settings.retry if retryable else None
        self._deadline = time.monotonic() + (
            settings.deadline if timeout is None else timeout)
        self._attempt = 1

    def timeout(self) -> float:
        """Seconds the next attempt may take: what is left of the call's
        deadline (`timeout`, else the client's), retries included."""
        return max(self._deadline - time.monotonic(), 0.0)

    def failed(self, error: errors.ServiceError,
               response_metadata: Optional[ResponseMetadata]
               ) -> Optional[float]:
        """Records that the attempt failed with `error` (filling
        `response_metadata` from it) and returns the seconds to wait before
        the next attempt, or None when the error is final: not retryable,
        no attempts left, or a wait that would reach the deadline."""
        if response_metadata is not None:
            response_metadata.vercel_request_id = error.vercel_request_id
            response_metadata.rate_limit = error.rate_limit
        attempt = self._attempt
        self._attempt += 1
        if (self._retry is None or attempt >= self._retry.max_attempts
                or not isinstance(error, _RETRYABLE)):
            return None
        if error.retry_delay is not None:
            wait = error.retry_delay.total_seconds()
        else:
            wait = (random.uniform(0.5, 1.0) * self._retry.initial_backoff
                    * 2.0 ** (attempt - 1))
        return None if wait >= self._deadline - time.monotonic() else wait


def with_request_id(request: pb.CreateAuthTokenRequest
                    ) -> pb.CreateAuthTokenRequest:
    """`request` with a fresh UUID v4 request_id when it has none; a copy,
    so the caller's message is left as it was."""
    if request.request_id:
        return request
    copy = pb.CreateAuthTokenRequest()
    copy.CopyFrom(request)
    copy.request_id = str(uuid.uuid4())
    return copy


def next_page(request: pb.ListAuthTokensRawRequest,
              page: pb.ListAuthTokensRawResponse
              ) -> Optional[pb.ListAuthTokensRawRequest]:
    """The request of the page after `page`, or None after the last one."""
    cursor = page.pagination.next_cursor
    if not cursor or cursor == request.until:
        return None
    following = pb.ListAuthTokensRawRequest()
    following.CopyFrom(request)
    following.until = cursor
    following.since = ""
    return following
