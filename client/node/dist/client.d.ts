import * as grpc from "@grpc/grpc-js";
import { CreateAuthTokenRequest, CreateAuthTokenResponse, DeepPartial, DeleteAuthTokenRequest, DeleteAuthTokenResponse, EmailLoginRequest, EmailLoginResponse, GetAuthTokenRequest, GetAuthTokenResponse, ListAuthTokensRawRequest, ListAuthTokensRawResponse, ListAuthTokensRequest, ListAuthTokensResponse, UserTokensServiceClient, VerifyTokenRequest, VerifyTokenResponse } from "./generated/vercel/authentication/v1/user_tokens";
import { TokenProvider } from "./credentials";
import { ResponseMetadata } from "./errors";
/** TLS settings; PEM contents, not file names. */
export interface TlsOptions {
    /** Root certificates to trust instead of Node's defaults. */
    rootCa?: Buffer;
    /** Client certificate chain, for mutual TLS (with clientKey). */
    clientCert?: Buffer;
    /** Client private key, for mutual TLS (with clientCert). */
    clientKey?: Buffer;
    /** The name the server's certificate must carry, when not the target's host. */
    serverNameOverride?: string;
}
/**
 * When get, list, list raw and create (whose requestId makes a repeat safe)
 * are tried again: after RESOURCE_EXHAUSTED or UNAVAILABLE, waiting the
 * server's RetryInfo delay, else a jittered backoff, never past the
 * deadline. Delete and the email login are never retried.
 */
export interface RetryOptions {
    /** Attempts per call, the first included (default 3). */
    maxAttempts?: number;
    /** The first wait without a RetryInfo, doubling after, jittered (default 200 ms). */
    initialBackoffMs?: number;
}
/** How a UserTokensClient connects and calls. */
export interface ClientOptions {
    /**
     * The caller's Vercel token, sent with every call; without one the
     * server's own is used, if any.
     */
    token?: string;
    /** Instead of `token`: called before every attempt for the current token (e.g. tokenFile(path)). */
    tokenProvider?: TokenProvider;
    /**
     * A projected ServiceAccount token file, sent as `x-workload-token` on
     * every call and read again as the kubelet rotates it.
     */
    workloadTokenFile?: string;
    /** Plaintext instead of TLS; must be asked for, to localhost too. */
    plaintext?: boolean;
    /** The older name of `plaintext`. */
    insecure?: boolean;
    /** TLS settings (TLS with Node's default roots unless plaintext is set). */
    tls?: TlsOptions;
    /** Deadline of each call, retries included, in milliseconds (default DEFAULT_DEADLINE_MS). */
    deadlineMs?: number;
    /** Retries (default: none). `true` means the defaults. */
    retry?: RetryOptions | boolean;
    /** Load-balancing policy, e.g. "round_robin" behind a headless Kubernetes Service. */
    loadBalancingPolicy?: string;
    /** Further grpc-js channel options. */
    channelOptions?: grpc.ChannelOptions;
}
/** Options of one call. */
export interface CallOptions {
    /** This call's deadline in milliseconds, instead of the client's. */
    deadlineMs?: number;
    /** Metadata sent after the client's own; an `authorization` here replaces the client's token. */
    metadata?: grpc.Metadata | Record<string, string>;
    /** Aborting it cancels the call, which rejects with CancelledError. */
    signal?: AbortSignal;
    /** Filled in with Vercel's request id and rate limit when the call returns, on success too. */
    responseMetadata?: ResponseMetadata;
}
/** A request whose fields K must be given; the others may be left out. */
export type Need<T, K extends keyof T> = DeepPartial<T> & {
    [P in K]: T[P];
};
/** GetAuthToken's request: `tokenId` is required. */
export type GetAuthTokenInput = Need<GetAuthTokenRequest, "tokenId">;
/** CreateAuthToken's request: `name` is required. */
export type CreateAuthTokenInput = Need<CreateAuthTokenRequest, "name">;
/** DeleteAuthToken's request: `tokenId` is required. */
export type DeleteAuthTokenInput = Need<DeleteAuthTokenRequest, "tokenId">;
/** EmailLogin's request: `email` is required. */
export type EmailLoginInput = Need<EmailLoginRequest, "email">;
/** VerifyToken's request: `token` is required. */
export type VerifyTokenInput = Need<VerifyTokenRequest, "token">;
/** A response whose fields K the server always sets: they are not optional. */
export type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: NonNullable<T[P]>;
};
/** GetAuthToken's response; `token` is always set. */
export type GetAuthTokenResult = WithRequired<GetAuthTokenResponse, "token">;
/** CreateAuthToken's response; `token` is always set. */
export type CreateAuthTokenResult = WithRequired<CreateAuthTokenResponse, "token">;
/** ListAuthTokensRaw's response; `pagination` is always set. */
export type ListAuthTokensRawResult = WithRequired<ListAuthTokensRawResponse, "pagination">;
/** The deadline of a call, retries included, unless the client or the call says otherwise. */
export declare const DEFAULT_DEADLINE_MS = 30000;
/**
 * A client of the vercel-user-tokens service. Every method returns a
 * promise of the response, or rejects with a UserTokensError subclass.
 *
 *     const client = new UserTokensClient("tokens.example.com:443",
 *       { token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
export declare class UserTokensClient {
    /** The generated grpc-js client, for anything this class does not cover. */
    readonly stub: UserTokensServiceClient;
    private readonly token?;
    private readonly tokenProvider?;
    private readonly workloadToken?;
    private readonly deadlineMs;
    private readonly retry?;
    /**
     * `target` is `host:port`, or a gRPC name such as
     * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
     */
    constructor(target: string, options?: ClientOptions);
    /** GetAuthToken: one token's metadata. Retried when retry is on. */
    getAuthToken(request: GetAuthTokenInput, options?: CallOptions): Promise<GetAuthTokenResult>;
    /** ListAuthTokens: every token, all pages. Retried when retry is on. */
    listAuthTokens(request?: DeepPartial<ListAuthTokensRequest>, options?: CallOptions): Promise<ListAuthTokensResponse>;
    /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
    listAuthTokensRaw(request?: DeepPartial<ListAuthTokensRawRequest>, options?: CallOptions): Promise<ListAuthTokensRawResult>;
    /**
     * Yields page after page from the request's cursor, following each page's
     * `pagination.nextCursor` as the next `until`, up to the last page. Each
     * page is one call with `options` (its own deadline, the same signal).
     *
     *     for await (const page of client.listAuthTokensRawPages({ limit: 50 })) { ... }
     */
    listAuthTokensRawPages(request?: DeepPartial<ListAuthTokensRawRequest>, options?: CallOptions): AsyncGenerator<ListAuthTokensRawResult, void, undefined>;
    /**
     * CreateAuthToken: a new token and its secret (`bearerToken`). Without a
     * `requestId` the call gets a fresh UUID v4 one, which the client's retries
     * repeat, so a retry never makes a second token.
     */
    createAuthToken(request: CreateAuthTokenInput, options?: CallOptions): Promise<CreateAuthTokenResult>;
    /** DeleteAuthToken: revokes a token. Never retried. */
    deleteAuthToken(request: DeleteAuthTokenInput, options?: CallOptions): Promise<DeleteAuthTokenResponse>;
    /** EmailLogin: starts Vercel's email login. Never retried. */
    emailLogin(request: EmailLoginInput, options?: CallOptions): Promise<EmailLoginResponse>;
    /** VerifyToken: completes the email login. Never retried. */
    verifyToken(request: VerifyTokenInput, options?: CallOptions): Promise<VerifyTokenResponse>;
    /** Closes the channel; calls in flight fail. */
    close(): void;
    private metadata;
    private once;
    private call;
    private delayAfter;
}
/** Returns call metadata that authenticates a call with a Vercel token. */
export declare function bearerMetadata(token: string): grpc.Metadata;
