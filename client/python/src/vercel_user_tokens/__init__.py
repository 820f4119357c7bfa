"""Client of the vercel-user-tokens gRPC service
(vercel.authentication.v1.UserTokensService), following client/SPEC.md.

    from vercel_user_tokens import Client, RetryPolicy

    with Client("tokens.example.com:443", token=vercel_token,
                retry=RetryPolicy()) as client:
        for token in client.list_auth_tokens().tokens:
            print(token.id, token.name, token.prefix)

TLS unless `plaintext=True`; a 30 s deadline; no retries unless `retry=`.
Failed calls raise vercel_user_tokens.errors.ServiceError subclasses. The
asyncio client is vercel_user_tokens.aio.Client. The generated messages and
stub are vercel.authentication.v1.user_tokens_pb2 and user_tokens_pb2_grpc.
"""

from vercel.authentication.v1 import __version__

from ._client import Client
from ._common import DEFAULT_DEADLINE, RetryPolicy, TlsOptions
from ._credentials import TokenFile, TokenProvider, token_file
from ._metadata import RateLimit, ResponseMetadata
from .errors import (AlreadyExists, Cancelled, DeadlineExceeded,
                     FailedPrecondition, FieldViolation, Internal,
                     InvalidArgument, NotFound, PermissionDenied, RateLimited,
                     ServiceError, Unauthenticated, Unavailable, Unimplemented,
                     Unknown)

__all__ = [
    "__version__", "Client", "DEFAULT_DEADLINE", "RetryPolicy", "TlsOptions",
    "TokenFile", "TokenProvider", "token_file", "RateLimit",
    "ResponseMetadata", "ServiceError", "FieldViolation", "AlreadyExists",
    "Cancelled", "DeadlineExceeded", "FailedPrecondition", "Internal",
    "InvalidArgument", "NotFound", "PermissionDenied", "RateLimited",
    "Unauthenticated", "Unavailable", "Unimplemented", "Unknown",
]
