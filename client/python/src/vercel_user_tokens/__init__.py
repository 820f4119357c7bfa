"""Client of the vercel-user-tokens gRPC service
(vercel.authentication.v1.UserTokensService).

    from vercel_user_tokens import Client, RetryPolicy

    with Client("localhost:50051", token=vercel_token, deadline=10,
                retry=RetryPolicy()) as client:
        for token in client.list_auth_tokens().tokens:
            print(token.id, token.name, token.prefix)

Failed calls raise vercel_user_tokens.errors.ServiceError subclasses.
The generated messages and stub are vercel.authentication.v1.user_tokens_pb2
and user_tokens_pb2_grpc.
"""

from vercel.authentication.v1 import __version__

from ._client import Client, RetryPolicy, TlsOptions
from .errors import (AlreadyExists, Cancelled, DeadlineExceeded,
                     FailedPrecondition, FieldViolation, Internal,
                     InvalidArgument, NotFound, PermissionDenied, RateLimited,
                     ServiceError, Unauthenticated, Unavailable, Unimplemented)

__all__ = [
    "__version__", "Client", "RetryPolicy", "TlsOptions", "ServiceError",
    "FieldViolation", "AlreadyExists", "Cancelled", "DeadlineExceeded",
    "FailedPrecondition", "Internal", "InvalidArgument", "NotFound",
    "PermissionDenied", "RateLimited", "Unauthenticated", "Unavailable",
    "Unimplemented",
]
