// The public surface of @vercel-user-tokens/client: UserTokensClient (a
// promise API with typed errors, a default deadline and an opt-in retry),
// the error classes, the generated UserTokensService client and messages,
// the google.rpc error-detail messages, and the helpers bearerMetadata and
// errorDetails for callers of the generated client.

import * as grpc from "@grpc/grpc-js";

export * from "./generated/vercel/authentication/v1/user_tokens";
export { Status } from "./generated/google/rpc/status";
export {
  BadRequest,
  BadRequest_FieldViolation,
  ErrorInfo,
  RetryInfo,
} from "./generated/google/rpc/error_details";
export { Duration } from "./generated/google/protobuf/duration";
export { Any } from "./generated/google/protobuf/any";
export {
  bearerMetadata,
  CallOptions,
  ClientOptions,
  CreateAuthTokenResult,
  GetAuthTokenResult,
  ListAuthTokensRawResult,
  RetryOptions,
  TlsOptions,
  UserTokensClient,
  WithRequired,
} from "./client";
export {
  ErrorDetails,
  errorDetails,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RateLimit,
  RateLimitedError,
  toUserTokensError,
  UnauthenticatedError,
  UserTokensError,
} from "./errors";
// The @grpc/grpc-js this package was built against: use its credentials and
// Metadata so that both come from the same copy of the library.
export { grpc };
