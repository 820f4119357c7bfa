import * as grpc from "@grpc/grpc-js";
import { BadRequest, ErrorInfo, RetryInfo } from "./generated/google/rpc/error_details";
export * from "./generated/vercel/authentication/v1/user_tokens";
export { Status } from "./generated/google/rpc/status";
export { BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo, } from "./generated/google/rpc/error_details";
export { Duration } from "./generated/google/protobuf/duration";
export { Any } from "./generated/google/protobuf/any";
export { grpc };
/** Returns call metadata that authenticates a call with a Vercel token. */
export declare function bearerMetadata(token: string): grpc.Metadata;
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
export declare function errorDetails(error: grpc.ServiceError): ErrorDetails;
