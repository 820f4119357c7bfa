"""The blocking client: a channel (TLS unless plaintext is asked for), the
caller's credentials, a default deadline, typed errors and opt-in retries."""

from __future__ import annotations

import time
from typing import Iterator, Optional, Sequence, TypeVar

import grpc

from vercel.authentication.v1 import user_tokens_pb2 as pb
from vercel.authentication.v1 import user_tokens_pb2_grpc

from . import errors
from ._common import (DEFAULT_DEADLINE, CallAttempts, CallMetadata,
                      ChannelOption, RetryPolicy, Settings, TlsOptions,
                      channel_credentials, next_page, with_request_id)
from ._credentials import TokenProvider
from ._metadata import ResponseMetadata

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")


class Client:
    """A client of vercel.authentication.v1.UserTokensService.

    Thread-safe; close() (or a `with` block) closes its channel.

    Args:
      target: the server, e.g. "tokens.example.com:443" or
        "dns:///tokens-headless.tokens.svc:50051".
      token: the caller's Vercel token, sent as `authorization: Bearer ...`
        on every call; None lets the server use its own token.
      token_provider: instead of `token`, a function called before every
        attempt for the current token (e.g. token_file(path)).
      workload_token_file: a projected ServiceAccount token file, sent as
        `x-workload-token` on every call and re-read as the kubelet
        rotates it.
      tls: how to verify the server; None: the system's CAs.
      plaintext: True talks plaintext (no TLS) and must be asked for, even
        to localhost.
      deadline: seconds each call may take, retries included, unless the
        call passes its own `timeout`.
      retry: retry policy; None: no retries.
      options: gRPC channel options, e.g. [("grpc.lb_policy_name",
        "round_robin")].

    Every method also takes, per call: `timeout` (seconds), `metadata`
    ((key, value) pairs sent after the client's; an `authorization` there
    replaces the client's token) and `response_metadata` (a
    ResponseMetadata to fill with Vercel's request id and rate limit).
    """

    def __init__(self, target: str, *, token: Optional[str] = None,
                 token_provider: Optional[TokenProvider] = None,
                 workload_token_file: Optional[str] = None,
                 tls: Optional[TlsOptions] = None, plaintext: bool = False,
                 deadline: float = DEFAULT_DEADLINE,
                 retry: Optional[RetryPolicy] = None,
                 options: Sequence[ChannelOption] = ()) -> None:
        self._settings = Settings(token, token_provider, workload_token_file,
                                  deadline, retry)
        channel_options = list(options)
        credentials = channel_credentials(tls, plaintext, channel_options)
        self._channel = (
            grpc.insecure_channel(target, channel_options)
            if credentials is None else
            grpc.secure_channel(target, credentials, channel_options))
        self._stub = user_tokens_pb2_grpc.UserTokensServiceStub(self._channel)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        self._channel.close()

    def get_auth_token(self, request: pb.GetAuthTokenRequest, *,
                       timeout: Optional[float] = None,
                       metadata: CallMetadata = (),
                       response_metadata: Optional[ResponseMetadata] = None
                       ) -> pb.GetAuthTokenResponse:
        """Gets one token's metadata (token_id "current": the caller's)."""
        return self._call(self._stub.GetAuthToken, request, timeout, metadata,
                          response_metadata, retryable=True)

    def list_auth_tokens(self,
                         request: Optional[pb.ListAuthTokensRequest] = None,
                         *, timeout: Optional[float] = None,
                         metadata: CallMetadata = (),
                         response_metadata: Optional[ResponseMetadata] = None
                         ) -> pb.ListAuthTokensResponse:
        """Lists every token of the caller, all pages."""
        return self._call(self._stub.ListAuthTokens,
                          request or pb.ListAuthTokensRequest(), timeout,
                          metadata, response_metadata, retryable=True)

    def list_auth_tokens_raw(
            self, request: pb.ListAuthTokensRawRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.ListAuthTokensRawResponse:
        """Reads one page of tokens, as Vercel sent it."""
        return self._call(self._stub.ListAuthTokensRaw, request, timeout,
                          metadata, response_metadata, retryable=True)

    def list_auth_tokens_raw_pages(
            self, request: Optional[pb.ListAuthTokensRawRequest] = None, *,
            timeout: Optional[float] = None, metadata: CallMetadata = ()
    ) -> Iterator[pb.ListAuthTokensRawResponse]:
        """Yields page after page from `request`'s cursor, following each
        page's pagination.next_cursor, until the last page. Each page is one
        call, with its own `timeout`."""
        following: Optional[pb.ListAuthTokensRawRequest] = (
            request or pb.ListAuthTokensRawRequest())
        while following is not None:
            page = self.list_auth_tokens_raw(following, timeout=timeout,
                                             metadata=metadata)
            yield page
            following = next_page(following, page)

    def create_auth_token(
            self, request: pb.CreateAuthTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.CreateAuthTokenResponse:
        """Creates a token; the response's bearer_token is its secret.
        Without a request_id the call gets a fresh UUID v4 one, which the
        client's retries repeat, so a retry never makes a second token."""
        return self._call(self._stub.CreateAuthToken,
                          with_request_id(request), timeout, metadata,
                          response_metadata, retryable=True)

    def delete_auth_token(
            self, request: pb.DeleteAuthTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.DeleteAuthTokenResponse:
        """Revokes a token. Never retried."""
        return self._call(self._stub.DeleteAuthToken, request, timeout,
                          metadata, response_metadata)

    def email_login(self, request: pb.EmailLoginRequest, *,
                    timeout: Optional[float] = None,
                    metadata: CallMetadata = (),
                    response_metadata: Optional[ResponseMetadata] = None
                    ) -> pb.EmailLoginResponse:
        """Starts Vercel's email login. Never retried."""
        return self._call(self._stub.EmailLogin, request, timeout, metadata,
                          response_metadata)

    def verify_token(self, request: pb.VerifyTokenRequest, *,
                     timeout: Optional[float] = None,
                     metadata: CallMetadata = (),
                     response_metadata: Optional[ResponseMetadata] = None
                     ) -> pb.VerifyTokenResponse:
        """Completes an email login (FailedPrecondition until confirmed).
        Never retried."""
        return self._call(self._stub.VerifyToken, request, timeout, metadata,
                          response_metadata)

    def _call(self,
              method: grpc.UnaryUnaryMultiCallable[_Request, _Response],
              request: _Request, timeout: Optional[float],
              metadata: CallMetadata,
              response_metadata: Optional[ResponseMetadata],
              retryable: bool = False) -> _Response:
        """Calls `method` until it succeeds, fails for good, or the deadline
        (`timeout`, else the client's) leaves no room for the next wait."""
        attempts = CallAttempts(self._settings, timeout, retryable)
        while True:
            sent = tuple(self._settings.metadata(metadata))
            try:
                response, call = method.with_call(
                    request, metadata=sent, timeout=attempts.timeout())
                if response_metadata is not None:
                    response_metadata.fill(call.initial_metadata() or ())
                return response
            except grpc.RpcError as rpc_error:
                error = errors.from_rpc_error(rpc_error)
                wait = attempts.failed(error, response_metadata)
                if wait is None:
                    raise error from rpc_error
            time.sleep(wait)
