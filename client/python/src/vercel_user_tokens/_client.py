"""The client: a channel, the caller's token, a default deadline, typed
errors and an opt-in retry of the read-only calls."""

from __future__ import annotations

import dataclasses
import pathlib
import random
import time
from typing import Any, Callable, Optional, Sequence, Tuple, Type, TypeVar, cast

import grpc

from vercel.authentication.v1 import user_tokens_pb2 as pb
from vercel.authentication.v1 import user_tokens_pb2_grpc

from . import errors

_Response = TypeVar("_Response")
_ChannelOption = Tuple[str, Any]


@dataclasses.dataclass(frozen=True)
class TlsOptions:
    """How to reach a server that serves TLS.

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
    """Retries of the read-only calls (get, list, list raw) that failed with
    RESOURCE_EXHAUSTED or UNAVAILABLE.

    The wait is the server's RetryInfo delay when it sent one, else a
    jittered backoff from `initial_backoff` doubling per attempt. A wait that
    would end after the call's deadline is not waited: the error is raised at
    once. Create, delete and the email login are never retried.
    """

    max_attempts: int = 3
    initial_backoff: float = 0.2


_RETRYABLE = (errors.RateLimited, errors.Unavailable)


class Client:
    """A client of vercel.authentication.v1.UserTokensService.

    Thread-safe; close() (or a `with` block) closes its channel.

    Args:
      target: the server, e.g. "localhost:50051" or
        "dns:///tokens-headless.tokens.svc:50051".
      token: the caller's Vercel token, sent as `authorization: Bearer ...`
        on every call; None lets the server use its own token.
      tls: TLS settings; None: plaintext.
      deadline: seconds each call may take, retries included, unless the
        call passes its own `timeout`.
      retry: retry policy of the read-only calls; None: no retries.
      options: gRPC channel options, e.g. [("grpc.lb_policy_name",
        "round_robin")].
    """

    def __init__(self, target: str, *, token: Optional[str] = None,
                 tls: Optional[TlsOptions] = None, deadline: float = 30.0,
                 retry: Optional[RetryPolicy] = None,
                 options: Sequence[_ChannelOption] = ()) -> None:
        channel_options = list(options)
        if tls is None:
            self._channel = grpc.insecure_channel(target, channel_options)
        else:
            if tls.server_name:
                channel_options.append(
                    ("grpc.ssl_target_name_override", tls.server_name))
            credentials = grpc.ssl_channel_credentials(
                root_certificates=tls.root_certificates,
                private_key=tls.private_key,
                certificate_chain=tls.certificate_chain)
            self._channel = grpc.secure_channel(target, credentials,
                                                channel_options)
        # The generated stub has no typings; each method below states its own.
        self._stub: Any = user_tokens_pb2_grpc.UserTokensServiceStub(  # type: ignore[no-untyped-call]
            self._channel)
        self._metadata: Tuple[Tuple[str, str], ...] = (
            (("authorization", f"Bearer {token}"),) if token else ())
        self._deadline = deadline
        self._retry = retry

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        self._channel.close()

    def get_auth_token(self, request: pb.GetAuthTokenRequest, *,
                       timeout: Optional[float] = None
                       ) -> pb.GetAuthTokenResponse:
        """Gets one token's metadata (token_id "current": the caller's)."""
        return self._call(self._stub.GetAuthToken, request, timeout,
                          pb.GetAuthTokenResponse,
                          read_only=True)

    def list_auth_tokens(self, request: Optional[pb.ListAuthTokensRequest] = None,
                         *, timeout: Optional[float] = None
                         ) -> pb.ListAuthTokensResponse:
        """Lists every token of the caller, all pages."""
        return self._call(self._stub.ListAuthTokens,
                          request or pb.ListAuthTokensRequest(), timeout,
                          pb.ListAuthTokensResponse, read_only=True)

    def list_auth_tokens_raw(self, request: pb.ListAuthTokensRawRequest, *,
                             timeout: Optional[float] = None
                             ) -> pb.ListAuthTokensRawResponse:
        """Reads one page of tokens, as Vercel sent it."""
        return self._call(self._stub.ListAuthTokensRaw, request, timeout,
                          pb.ListAuthTokensRawResponse,
                          read_only=True)

    def create_auth_token(self, request: pb.CreateAuthTokenRequest, *,
                          timeout: Optional[float] = None
                          ) -> pb.CreateAuthTokenResponse:
        """Creates a token; the response's bearer_token is its secret."""
        return self._call(self._stub.CreateAuthToken, request, timeout,
                          pb.CreateAuthTokenResponse)

    def delete_auth_token(self, request: pb.DeleteAuthTokenRequest, *,
                          timeout: Optional[float] = None
                          ) -> pb.DeleteAuthTokenResponse:
        """Revokes a token."""
        return self._call(self._stub.DeleteAuthToken, request, timeout,
                          pb.DeleteAuthTokenResponse)

    def email_login(self, request: pb.EmailLoginRequest, *,
                    timeout: Optional[float] = None) -> pb.EmailLoginResponse:
        """Starts Vercel's email login."""
        return self._call(self._stub.EmailLogin, request, timeout,
                          pb.EmailLoginResponse)

    def verify_token(self, request: pb.VerifyTokenRequest, *,
                     timeout: Optional[float] = None) -> pb.VerifyTokenResponse:
        """Completes an email login (FailedPrecondition until confirmed)."""
        return self._call(self._stub.VerifyToken, request, timeout,
                          pb.VerifyTokenResponse)

    def _call(self, method: Callable[..., Any], request: Any,
              timeout: Optional[float], response_type: Type[_Response],
              read_only: bool = False) -> _Response:
        """Calls `method` until it succeeds, fails for good, or the deadline
        (`timeout`, else the client's) leaves no room for the next wait."""
        deadline = time.monotonic() + (
            self._deadline if timeout is None else timeout)
        attempts = self._retry.max_attempts if read_only and self._retry else 1
        attempt = 1
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            try:
                return cast(_Response, method(request, metadata=self._metadata,
                                              timeout=remaining))
            except grpc.RpcError as rpc_error:
                error = errors.from_rpc_error(rpc_error)
                if attempt >= attempts or not isinstance(error, _RETRYABLE):
                    raise error from rpc_error
                wait = _wait_before(attempt, error, self._retry)
                if time.monotonic() + wait >= deadline:
                    raise error from rpc_error
            time.sleep(wait)
            attempt += 1


def _wait_before(attempt: int, error: errors.ServiceError,
                 policy: Optional[RetryPolicy]) -> float:
    """Seconds to wait before attempt `attempt + 1`."""
    if error.retry_delay is not None:
        return error.retry_delay.total_seconds()
    initial = policy.initial_backoff if policy else 0.0
    return random.uniform(0.5, 1.0) * initial * 2.0 ** (attempt - 1)
