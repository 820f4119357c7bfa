// The public surface of @vercel-user-tokens/client: the generated
// UserTokensService client and messages, the google.rpc error-detail
// messages the service attaches to failed calls, and two helpers: one that
// builds the bearer metadata, one that decodes a failed call's details.

import * as grpc from "@grpc/grpc-js";
import { Status } from "./generated/google/rpc/status";
import {
  BadRequest,
  ErrorInfo,
  RetryInfo,
} from "./generated/google/rpc/error_details";

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
// The @grpc/grpc-js this package was built against: use its credentials and
// Metadata so that both come from the same copy of the library.
export { grpc };

const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const TYPE_URL_PREFIX = "type.googleapis.com/";

/** Returns call metadata that authenticates a call with a Vercel token. */
export function bearerMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

/** What a failed call carries, decoded from its google.rpc.Status. */
export interface ErrorDetails {
  /** The gRPC status code, e.g. 5 (grpc.status.NOT_FOUND). */
  code: grpc.status;
  /** The code's name, e.g. "NOT_FOUND". */
  codeName: string;
  /** The status message, e.g. "Vercel API error 404 (not_found): ...". */
  message: string;
  /** Why the call failed: reason, domain and metadata. */
  errorInfo?: ErrorInfo;
  /** How long to wait before retrying, when waiting helps. */
  retryInfo?: RetryInfo;
  /** Which request fields were invalid (INVALID_ARGUMENT only). */
  badRequest?: BadRequest;
  /** retryInfo's delay in milliseconds; undefined without a RetryInfo. */
  retryDelayMs?: number;
}

/**
 * Decodes the google.rpc.Status a failed call carries in its
 * `grpc-status-details-bin` trailer. Without that trailer (e.g. a deadline
 * that expired in the client) only code, codeName and message are set.
 */
export function errorDetails(error: grpc.ServiceError): ErrorDetails {
  const details: ErrorDetails = {
    code: error.code,
    codeName: grpc.status[error.code] ?? String(error.code),
    message: error.details,
  };
  const raw = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw === undefined || typeof raw === "string") {
    return details;
  }
  const status = Status.decode(raw);
  details.message = status.message ?? details.message;
  for (const any of status.details ?? []) {
    const value = any.value ?? new Uint8Array();
    switch (any.typeUrl) {
      case TYPE_URL_PREFIX + "google.rpc.ErrorInfo":
        details.errorInfo = ErrorInfo.decode(value);
        break;
      case TYPE_URL_PREFIX + "google.rpc.RetryInfo":
        details.retryInfo = RetryInfo.decode(value);
        details.retryDelayMs =
          (details.retryInfo.retryDelay?.seconds ?? 0) * 1000 +
          Math.round((details.retryInfo.retryDelay?.nanos ?? 0) / 1e6);
        break;
      case TYPE_URL_PREFIX + "google.rpc.BadRequest":
        details.badRequest = BadRequest.decode(value);
        break;
    }
  }
  return details;
}
