"use strict";
// UserTokensClient: a promise API over the generated grpc-js client, with
// the caller's Vercel token on every call, a default deadline, typed errors
// and an opt-in retry of the read-only calls.
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.UserTokensClient = void 0;
exports.bearerMetadata = bearerMetadata;
const grpc = __importStar(require("@grpc/grpc-js"));
const user_tokens_1 = require("./generated/vercel/authentication/v1/user_tokens");
const errors_1 = require("./errors");
const DEFAULT_DEADLINE_MS = 30000;
function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
// Returns `response`, typed with `field` present; throws if the server left
// it out after all.
function requireField(response, field, rpc) {
    if (response[field] === undefined || response[field] === null) {
        throw new Error(`${rpc}: the server's response lacks ${String(field)}`);
    }
    return response;
}
/**
 * A client of the vercel-user-tokens service. Every method returns a
 * promise of the response, or rejects with a UserTokensError subclass.
 *
 *     const client = new UserTokensClient("localhost:50051",
 *       { insecure: true, token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
class UserTokensClient {
    /**
     * `target` is `host:port`, or a gRPC name such as
     * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
     */
    constructor(target, options = {}) {
        const channelOptions = { ...options.channelOptions };
        if (options.tls?.serverNameOverride) {
            channelOptions["grpc.ssl_target_name_override"] = options.tls.serverNameOverride;
            channelOptions["grpc.default_authority"] = options.tls.serverNameOverride;
        }
        if (options.loadBalancingPolicy) {
            channelOptions["grpc.service_config"] = JSON.stringify({
                loadBalancingConfig: [{ [options.loadBalancingPolicy]: {} }],
            });
        }
        const credentials = options.insecure
            ? grpc.credentials.createInsecure()
            : grpc.credentials.createSsl(options.tls?.rootCa ?? null, options.tls?.clientKey ?? null, options.tls?.clientCert ?? null);
        this.stub = new user_tokens_1.UserTokensServiceClient(target, credentials, channelOptions);
        this.metadata = options.token ? bearerMetadata(options.token) : new grpc.Metadata();
        this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
        if (options.retry) {
            const retry = options.retry === true ? {} : options.retry;
            this.retry = {
                maxAttempts: retry.maxAttempts ?? 3,
                initialBackoffMs: retry.initialBackoffMs ?? 100,
            };
        }
    }
    /** GetAuthToken: one token's metadata. Retried when retry is on. */
    async getAuthToken(request, options) {
        const response = await this.read(this.stub.getAuthToken, user_tokens_1.GetAuthTokenRequest.fromPartial(request), options);
        return requireField(response, "token", "GetAuthToken");
    }
    /** ListAuthTokens: every token, all pages. Retried when retry is on. */
    listAuthTokens(request = {}, options) {
        return this.read(this.stub.listAuthTokens, user_tokens_1.ListAuthTokensRequest.fromPartial(request), options);
    }
    /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
    async listAuthTokensRaw(request = {}, options) {
        const response = await this.read(this.stub.listAuthTokensRaw, user_tokens_1.ListAuthTokensRawRequest.fromPartial(request), options);
        return requireField(response, "pagination", "ListAuthTokensRaw");
    }
    /** CreateAuthToken: a new token and its secret (`bearerToken`). Never retried. */
    async createAuthToken(request, options) {
        const response = await this.once(this.stub.createAuthToken, user_tokens_1.CreateAuthTokenRequest.fromPartial(request), this.deadline(options));
        return requireField(response, "token", "CreateAuthToken");
    }
    /** DeleteAuthToken: revokes a token. Never retried. */
    deleteAuthToken(request, options) {
        return this.once(this.stub.deleteAuthToken, user_tokens_1.DeleteAuthTokenRequest.fromPartial(request), this.deadline(options));
    }
    /** EmailLogin: starts Vercel's email login. Never retried. */
    emailLogin(request, options) {
        return this.once(this.stub.emailLogin, user_tokens_1.EmailLoginRequest.fromPartial(request), this.deadline(options));
    }
    /** VerifyToken: completes the email login. Never retried. */
    verifyToken(request, options) {
        return this.once(this.stub.verifyToken, user_tokens_1.VerifyTokenRequest.fromPartial(request), this.deadline(options));
    }
    /** Closes the channel; calls in flight fail. */
    close() {
        this.stub.close();
    }
    deadline(options) {
        return Date.now() + (options?.deadlineMs ?? this.deadlineMs);
    }
    // One attempt; rejects with the typed error, which also reads the
    // response headers (where the service puts x-ratelimit-*).
    once(method, request, deadline) {
        return new Promise((resolve, reject) => {
            let headers;
            const done = (error, response) => {
                if (error) {
                    reject((0, errors_1.toUserTokensError)(error, headers));
                }
                else {
                    resolve(response);
                }
            };
            const call = method.call(this.stub, request, this.metadata, { deadline }, done);
            call.on("metadata", (metadata) => {
                headers = metadata;
            });
        });
    }
    async read(method, request, options) {
        const deadline = this.deadline(options);
        for (let attempt = 1;; attempt++) {
            try {
                return await this.once(method, request, deadline);
            }
            catch (error) {
                const wait = error instanceof errors_1.UserTokensError ? this.delayAfter(error, attempt) : undefined;
                if (wait === undefined || Date.now() + wait >= deadline) {
                    throw error;
                }
                await sleep(wait);
            }
        }
    }
    // How long to wait before attempt + 1, or undefined when not retried.
    delayAfter(error, attempt) {
        if (!this.retry || attempt >= this.retry.maxAttempts) {
            return undefined;
        }
        switch (error.code) {
            case grpc.status.RESOURCE_EXHAUSTED:
                return error.retryDelayMs;
            case grpc.status.UNAVAILABLE:
                return error.retryDelayMs ?? this.retry.initialBackoffMs * 2 ** (attempt - 1);
            default:
                return undefined;
        }
    }
}
exports.UserTokensClient = UserTokensClient;
/** Returns call metadata that authenticates a call with a Vercel token. */
function bearerMetadata(token) {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    return metadata;
}
