"use strict";
// UserTokensClient: a promise API over the generated grpc-js client,
// following client/SPEC.md: TLS unless plaintext is asked for, the caller's
// credentials on every call, a default deadline, typed errors, per-call
// options (deadline, metadata, AbortSignal, response metadata), a pager,
// automatic request ids on create, and opt-in retries.
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
exports.UserTokensClient = exports.DEFAULT_DEADLINE_MS = void 0;
exports.bearerMetadata = bearerMetadata;
const crypto_1 = require("crypto");
const grpc = __importStar(require("@grpc/grpc-js"));
const user_tokens_1 = require("./generated/vercel/authentication/v1/user_tokens");
const credentials_1 = require("./credentials");
const errors_1 = require("./errors");
/** The deadline of a call, retries included, unless the client or the call says otherwise. */
exports.DEFAULT_DEADLINE_MS = 30000;
// Waits `ms`, or rejects with CancelledError when `signal` aborts first.
function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
        const onAbort = () => {
            clearTimeout(timer);
            reject(cancelled());
        };
        const timer = setTimeout(() => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
        }, ms);
        signal?.addEventListener("abort", onAbort, { once: true });
    });
}
// The error of a call its AbortSignal cancelled before it was sent.
function cancelled() {
    const error = Object.assign(new Error("Cancelled by its AbortSignal"), {
        code: grpc.status.CANCELLED,
        details: "Cancelled by its AbortSignal",
        metadata: new grpc.Metadata(),
    });
    return new errors_1.CancelledError(error);
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
 *     const client = new UserTokensClient("tokens.example.com:443",
 *       { token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
class UserTokensClient {
    /**
     * `target` is `host:port`, or a gRPC name such as
     * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
     */
    constructor(target, options = {}) {
        const plaintext = options.plaintext ?? options.insecure ?? false;
        if (plaintext && options.tls) {
            throw new Error("tls and plaintext exclude each other");
        }
        if (options.token !== undefined && options.tokenProvider) {
            throw new Error("token and tokenProvider exclude each other");
        }
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
        const credentials = plaintext
            ? grpc.credentials.createInsecure()
            : grpc.credentials.createSsl(options.tls?.rootCa ?? null, options.tls?.clientKey ?? null, options.tls?.clientCert ?? null);
        this.stub = new user_tokens_1.UserTokensServiceClient(target, credentials, channelOptions);
        this.token = options.token;
        this.tokenProvider = options.tokenProvider;
        if (options.workloadTokenFile) {
            this.workloadToken = new credentials_1.TokenFile(options.workloadTokenFile);
        }
        this.deadlineMs = options.deadlineMs ?? exports.DEFAULT_DEADLINE_MS;
        if (options.retry) {
            const retry = options.retry === true ? {} : options.retry;
            this.retry = {
                maxAttempts: retry.maxAttempts ?? 3,
                initialBackoffMs: retry.initialBackoffMs ?? 200,
            };
        }
    }
    /** GetAuthToken: one token's metadata. Retried when retry is on. */
    async getAuthToken(request, options) {
        const response = await this.call(this.stub.getAuthToken, user_tokens_1.GetAuthTokenRequest.fromPartial(request), options, true);
        return requireField(response, "token", "GetAuthToken");
    }
    /** ListAuthTokens: every token, all pages. Retried when retry is on. */
    listAuthTokens(request = {}, options) {
        return this.call(this.stub.listAuthTokens, user_tokens_1.ListAuthTokensRequest.fromPartial(request), options, true);
    }
    /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
    async listAuthTokensRaw(request = {}, options) {
        const response = await this.call(this.stub.listAuthTokensRaw, user_tokens_1.ListAuthTokensRawRequest.fromPartial(request), options, true);
        return requireField(response, "pagination", "ListAuthTokensRaw");
    }
    /**
     * Yields page after page from the request's cursor, following each page's
     * `pagination.nextCursor` as the next `until`, up to the last page. Each
     * page is one call with `options` (its own deadline, the same signal).
     *
     *     for await (const page of client.listAuthTokensRawPages({ limit: 50 })) { ... }
     */
    async *listAuthTokensRawPages(request = {}, options) {
        let next = user_tokens_1.ListAuthTokensRawRequest.fromPartial(request);
        while (next) {
            const page = await this.listAuthTokensRaw(next, options);
            yield page;
            const cursor = page.pagination.nextCursor;
            next = cursor && cursor !== next.until ? { ...next, until: cursor, since: "" } : undefined;
        }
    }
    /**
     * CreateAuthToken: a new token and its secret (`bearerToken`). Without a
     * `requestId` the call gets a fresh UUID v4 one, which the client's retries
     * repeat, so a retry never makes a second token.
     */
    async createAuthToken(request, options) {
        const message = user_tokens_1.CreateAuthTokenRequest.fromPartial(request);
        if (!message.requestId) {
            message.requestId = (0, crypto_1.randomUUID)();
        }
        const response = await this.call(this.stub.createAuthToken, message, options, true);
        return requireField(response, "token", "CreateAuthToken");
    }
    /** DeleteAuthToken: revokes a token. Never retried. */
    deleteAuthToken(request, options) {
        return this.call(this.stub.deleteAuthToken, user_tokens_1.DeleteAuthTokenRequest.fromPartial(request), options);
    }
    /** EmailLogin: starts Vercel's email login. Never retried. */
    emailLogin(request, options) {
        return this.call(this.stub.emailLogin, user_tokens_1.EmailLoginRequest.fromPartial(request), options);
    }
    /** VerifyToken: completes the email login. Never retried. */
    verifyToken(request, options) {
        return this.call(this.stub.verifyToken, user_tokens_1.VerifyTokenRequest.fromPartial(request), options);
    }
    /** Closes the channel; calls in flight fail. */
    close() {
        this.stub.close();
    }
    // The metadata of one attempt: the caller's token and the workload token,
    // read now, then the call's own (whose authorization wins).
    async metadata(options) {
        const perCall = options?.metadata instanceof grpc.Metadata
            ? options.metadata
            : Object.entries(options?.metadata ?? {}).reduce((m, [key, value]) => {
                m.add(key, value);
                return m;
            }, new grpc.Metadata());
        let token = this.token;
        if (this.tokenProvider) {
            try {
                token = await this.tokenProvider();
            }
            catch (error) {
                if (error instanceof errors_1.UserTokensError) {
                    throw error;
                }
                throw (0, credentials_1.credentialsUnavailable)(`the token provider failed: ${error.name}`);
            }
        }
        const metadata = new grpc.Metadata();
        if (token && perCall.get("authorization").length === 0) {
            metadata.set("authorization", `Bearer ${token}`);
        }
        if (this.workloadToken) {
            metadata.set("x-workload-token", this.workloadToken.read());
        }
        metadata.merge(perCall);
        return metadata;
    }
    // One attempt; rejects with the typed error, which also reads the
    // response headers (where the service puts x-ratelimit-*).
    once(method, request, metadata, deadline, options) {
        return new Promise((resolve, reject) => {
            let headers;
            const signal = options?.signal;
            const onAbort = () => call.cancel();
            const done = (error, response) => {
                signal?.removeEventListener("abort", onAbort);
                options?.responseMetadata?.fill(headers, error?.metadata);
                if (error) {
                    reject((0, errors_1.toUserTokensError)(error, headers));
                }
                else {
                    resolve(response);
                }
            };
            const call = method.call(this.stub, request, metadata, { deadline }, done);
            call.on("metadata", (received) => {
                headers = received;
            });
            signal?.addEventListener("abort", onAbort, { once: true });
        });
    }
    async call(method, request, options, retryable = false) {
        const deadline = Date.now() + (options?.deadlineMs ?? this.deadlineMs);
        for (let attempt = 1;; attempt++) {
            if (options?.signal?.aborted) {
                throw cancelled();
            }
            try {
                return await this.once(method, request, await this.metadata(options), deadline, options);
            }
            catch (error) {
                const wait = retryable && error instanceof errors_1.UserTokensError ? this.delayAfter(error, attempt) : undefined;
                if (wait === undefined || Date.now() + wait >= deadline) {
                    throw error;
                }
                await sleep(wait, options?.signal);
            }
        }
    }
    // How long to wait before attempt + 1, or undefined when not retried.
    delayAfter(error, attempt) {
        if (!this.retry || attempt >= this.retry.maxAttempts) {
            return undefined;
        }
        if (!(error instanceof errors_1.RateLimitedError || error instanceof errors_1.UnavailableError)) {
            return undefined;
        }
        return (error.retryDelayMs ??
            this.retry.initialBackoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    }
}
exports.UserTokensClient = UserTokensClient;
/** Returns call metadata that authenticates a call with a Vercel token. */
function bearerMetadata(token) {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    return metadata;
}
