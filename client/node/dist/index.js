"use strict";
// The public surface of @vercel-user-tokens/client (client/SPEC.md):
// UserTokensClient (a promise API with typed errors, TLS by default, a
// default deadline, per-call options, a pager and opt-in retries), the error
// classes, ResponseMetadata, the credential providers, the generated
// UserTokensService client and messages, the google.rpc error-detail
// messages, and the helpers bearerMetadata and errorDetails for callers of
// the generated client.
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.grpc = exports.UserTokensError = exports.UnknownError = exports.UnimplementedError = exports.UnavailableError = exports.UnauthenticatedError = exports.toUserTokensError = exports.ResponseMetadata = exports.RateLimitedError = exports.PermissionDeniedError = exports.NotFoundError = exports.InvalidArgumentError = exports.InternalError = exports.FailedPreconditionError = exports.errorDetails = exports.errorClassFor = exports.DeadlineExceededError = exports.CancelledError = exports.AlreadyExistsError = exports.tokenFile = exports.TokenFile = exports.CLIENT_DOMAIN = exports.UserTokensClient = exports.DEFAULT_DEADLINE_MS = exports.bearerMetadata = exports.Any = exports.Duration = exports.RetryInfo = exports.ErrorInfo = exports.BadRequest_FieldViolation = exports.BadRequest = exports.Status = void 0;
const grpc = __importStar(require("@grpc/grpc-js"));
exports.grpc = grpc;
__exportStar(require("./generated/vercel/authentication/v1/user_tokens"), exports);
var status_1 = require("./generated/google/rpc/status");
Object.defineProperty(exports, "Status", { enumerable: true, get: function () { return status_1.Status; } });
var error_details_1 = require("./generated/google/rpc/error_details");
Object.defineProperty(exports, "BadRequest", { enumerable: true, get: function () { return error_details_1.BadRequest; } });
Object.defineProperty(exports, "BadRequest_FieldViolation", { enumerable: true, get: function () { return error_details_1.BadRequest_FieldViolation; } });
Object.defineProperty(exports, "ErrorInfo", { enumerable: true, get: function () { return error_details_1.ErrorInfo; } });
Object.defineProperty(exports, "RetryInfo", { enumerable: true, get: function () { return error_details_1.RetryInfo; } });
var duration_1 = require("./generated/google/protobuf/duration");
Object.defineProperty(exports, "Duration", { enumerable: true, get: function () { return duration_1.Duration; } });
var any_1 = require("./generated/google/protobuf/any");
Object.defineProperty(exports, "Any", { enumerable: true, get: function () { return any_1.Any; } });
var client_1 = require("./client");
Object.defineProperty(exports, "bearerMetadata", { enumerable: true, get: function () { return client_1.bearerMetadata; } });
Object.defineProperty(exports, "DEFAULT_DEADLINE_MS", { enumerable: true, get: function () { return client_1.DEFAULT_DEADLINE_MS; } });
Object.defineProperty(exports, "UserTokensClient", { enumerable: true, get: function () { return client_1.UserTokensClient; } });
var credentials_1 = require("./credentials");
Object.defineProperty(exports, "CLIENT_DOMAIN", { enumerable: true, get: function () { return credentials_1.CLIENT_DOMAIN; } });
Object.defineProperty(exports, "TokenFile", { enumerable: true, get: function () { return credentials_1.TokenFile; } });
Object.defineProperty(exports, "tokenFile", { enumerable: true, get: function () { return credentials_1.tokenFile; } });
var errors_1 = require("./errors");
Object.defineProperty(exports, "AlreadyExistsError", { enumerable: true, get: function () { return errors_1.AlreadyExistsError; } });
Object.defineProperty(exports, "CancelledError", { enumerable: true, get: function () { return errors_1.CancelledError; } });
Object.defineProperty(exports, "DeadlineExceededError", { enumerable: true, get: function () { return errors_1.DeadlineExceededError; } });
Object.defineProperty(exports, "errorClassFor", { enumerable: true, get: function () { return errors_1.errorClassFor; } });
Object.defineProperty(exports, "errorDetails", { enumerable: true, get: function () { return errors_1.errorDetails; } });
Object.defineProperty(exports, "FailedPreconditionError", { enumerable: true, get: function () { return errors_1.FailedPreconditionError; } });
Object.defineProperty(exports, "InternalError", { enumerable: true, get: function () { return errors_1.InternalError; } });
Object.defineProperty(exports, "InvalidArgumentError", { enumerable: true, get: function () { return errors_1.InvalidArgumentError; } });
Object.defineProperty(exports, "NotFoundError", { enumerable: true, get: function () { return errors_1.NotFoundError; } });
Object.defineProperty(exports, "PermissionDeniedError", { enumerable: true, get: function () { return errors_1.PermissionDeniedError; } });
Object.defineProperty(exports, "RateLimitedError", { enumerable: true, get: function () { return errors_1.RateLimitedError; } });
Object.defineProperty(exports, "ResponseMetadata", { enumerable: true, get: function () { return errors_1.ResponseMetadata; } });
Object.defineProperty(exports, "toUserTokensError", { enumerable: true, get: function () { return errors_1.toUserTokensError; } });
Object.defineProperty(exports, "UnauthenticatedError", { enumerable: true, get: function () { return errors_1.UnauthenticatedError; } });
Object.defineProperty(exports, "UnavailableError", { enumerable: true, get: function () { return errors_1.UnavailableError; } });
Object.defineProperty(exports, "UnimplementedError", { enumerable: true, get: function () { return errors_1.UnimplementedError; } });
Object.defineProperty(exports, "UnknownError", { enumerable: true, get: function () { return errors_1.UnknownError; } });
Object.defineProperty(exports, "UserTokensError", { enumerable: true, get: function () { return errors_1.UserTokensError; } });
