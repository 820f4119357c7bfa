// The public surface of @vercel-user-tokens/client (client/SPEC.md):
// UserTokensClient (a promise API with typed errors, TLS by default, a
// default deadline, per-call options, a pager and opt-in retries), the error
// classes, ResponseMetadata, the credential providers, the generated
// UserTokensService client and messages, the google.rpc error-detail
// messages, and the helpers bearerMetadata and errorDetails for callers of
// the generated client.

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
  CreateAuthTokenInput,
  CreateAuthTokenResult,
  DEFAULT_DEADLINE_MS,
  DeleteAuthTokenInput,
  EmailLoginInput,
  GetAuthTokenInput,
  GetAuthTokenResult,
  ListAuthTokensRawResult,
  Need,
  RetryOptions,
  TlsOptions,
  UserTokensClient,
  VerifyTokenInput,
  WithRequired,
} from "./client";
export { CLIENT_DOMAIN, TokenFile, tokenFile, TokenProvider } from "./credentials";
export {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  ErrorDetails,
  errorClassFor,
  errorDetails,
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  RateLimit,
  RateLimitedError,
  ResponseMetadata,
  toUserTokensError,
  UnauthenticatedError,
  UnavailableError,
  UnimplementedError,
  UnknownError,
  UserTokensError,
} from "./errors";
// The @grpc/grpc-js this package was built against: use its credentials and
// Metadata so that both come from the same copy of the library.
export { grpc };
