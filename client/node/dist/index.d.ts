import * as grpc from "@grpc/grpc-js";
export * from "./generated/vercel/authentication/v1/user_tokens";
export { Status } from "./generated/google/rpc/status";
export { BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo, } from "./generated/google/rpc/error_details";
export { Duration } from "./generated/google/protobuf/duration";
export { Any } from "./generated/google/protobuf/any";
export { bearerMetadata, CallOptions, ClientOptions, CreateAuthTokenResult, GetAuthTokenResult, ListAuthTokensRawResult, RetryOptions, TlsOptions, UserTokensClient, WithRequired, } from "./client";
export { ErrorDetails, errorDetails, InvalidArgumentError, NotFoundError, PermissionDeniedError, RateLimit, RateLimitedError, toUserTokensError, UnauthenticatedError, UserTokensError, } from "./errors";
export { grpc };
