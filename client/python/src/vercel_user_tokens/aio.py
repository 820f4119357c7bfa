"""The asyncio client: vercel_user_tokens.Client's methods as coroutines,
over grpc.aio.

    from vercel_user_tokens import aio

    async with aio.Client("tokens.example.com:443", token=token) as client:
        listed = await client.list_auth_tokens()
        async for page in client.list_auth_tokens_raw_pages():
            ...

Cancelling the task that awaits a call cancels the call (the server stops
its upstream request) and raises asyncio.CancelledError, as asyncio expects.
"""

from __future__ import annotations

import asyncio
from typing import AsyncIterator, Optional, Sequence, TypeVar

import grpc
import grpc.aio

from vercel.authentication.v1 import user_tokens_pb2 as pb
from vercel.authentication.v1 import user_tokens_pb2_grpc

from . import errors
from ._common import (DEFAULT_DEADLINE, CallAttempts, CallMetadata,
                      ChannelOption, RetryPolicy, Settings, TlsOptions,
                      channel_credentials, next_page, with_request_id)
from ._credentials import TokenProvider
from ._metadata import ResponseMetadata

__all__ = ["Client"]

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")


class Client:
    """An asyncio client of vercel.authentication.v1.UserTokensService; the
    arguments, methods and per-call options of vercel_user_tokens.Client,
    each method a coroutine. Use it from one event loop; `await close()` (or
    `async with`) closes its channel."""

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
            grpc.aio.insecure_channel(target, channel_options)
            if credentials is None else
            grpc.aio.secure_channel(target, credentials, channel_options))
        self._stub = user_tokens_pb2_grpc.UserTokensServiceStub(self._channel)

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the channel; calls in flight are cancelled."""
        await self._channel.close()

    async def get_auth_token(
            self, request: pb.GetAuthTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.GetAuthTokenResponse:
        """Gets one token's metadata (token_id "current": the caller's)."""
        return await self._call(self._stub.GetAuthToken, request, timeout,
                                metadata, response_metadata, retryable=True)

    async def list_auth_tokens(
            self, request: Optional[pb.ListAuthTokensRequest] = None, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.ListAuthTokensResponse:
        """Lists every token of the caller, all pages."""
        return await self._call(self._stub.ListAuthTokens,
                                request or pb.ListAuthTokensRequest(),
                                timeout, metadata, response_metadata,
                                retryable=True)

    async def list_auth_tokens_raw(
            self, request: pb.ListAuthTokensRawRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.ListAuthTokensRawResponse:
        """Reads one page of tokens, as Vercel sent it."""
        return await self._call(self._stub.ListAuthTokensRaw, request,
                                timeout, metadata, response_metadata,
                                retryable=True)

    async def list_auth_tokens_raw_pages(
            self, request: Optional[pb.ListAuthTokensRawRequest] = None, *,
            timeout: Optional[float] = None, metadata: CallMetadata = ()
    ) -> AsyncIterator[pb.ListAuthTokensRawResponse]:
        """Yields page after page (see Client.list_auth_tokens_raw_pages)."""
        following: Optional[pb.ListAuthTokensRawRequest] = (
            request or pb.ListAuthTokensRawRequest())
        while following is not None:
            page = await self.list_auth_tokens_raw(
                following, timeout=timeout, metadata=metadata)
            yield page
            following = next_page(following, page)

    async def create_auth_token(
            self, request: pb.CreateAuthTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.CreateAuthTokenResponse:
        """Creates a token, with a fresh request_id when it has none (see
        Client.create_auth_token)."""
        return await self._call(self._stub.CreateAuthToken,
                                with_request_id(request), timeout, metadata,
                                response_metadata, retryable=True)

    async def delete_auth_token(
            self, request: pb.DeleteAuthTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.DeleteAuthTokenResponse:
        """Revokes a token. Never retried."""
        return await self._call(self._stub.DeleteAuthToken, request, timeout,
                                metadata, response_metadata)

    async def email_login(
            self, request: pb.EmailLoginRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.EmailLoginResponse:
        """Starts Vercel's email login. Never retried."""
        return await self._call(self._stub.EmailLogin, request, timeout,
                                metadata, response_metadata)

    async def verify_token(
            self, request: pb.VerifyTokenRequest, *,
            timeout: Optional[float] = None, metadata: CallMetadata = (),
            response_metadata: Optional[ResponseMetadata] = None
    ) -> pb.VerifyTokenResponse:
        """Completes an email login. Never retried."""
        return await self._call(self._stub.VerifyToken, request, timeout,
                                metadata, response_metadata)

    async def _call(
            self,
            method: grpc.aio.UnaryUnaryMultiCallable[_Request, _Response],
            request: _Request, timeout: Optional[float],
            metadata: CallMetadata,
            response_metadata: Optional[ResponseMetadata],
            retryable: bool = False) -> _Response:
        attempts = CallAttempts(self._settings, timeout, retryable)
        while True:
            call = method(request,
                          metadata=tuple(self._settings.metadata(metadata)),
                          timeout=attempts.timeout())
            try:
                response = await call
                if response_metadata is not None:
                    response_metadata.fill(await call.initial_metadata() or ())
                return response
            except grpc.aio.AioRpcError as rpc_error:
                error = errors.from_status(
                    rpc_error.code(), rpc_error.details() or "",
                    tuple(rpc_error.initial_metadata() or ()),
                    tuple(rpc_error.trailing_metadata() or ()))
                wait = attempts.failed(error, response_metadata)
                if wait is None:
                    raise error from rpc_error
            await asyncio.sleep(wait)
