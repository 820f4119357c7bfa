import * as grpc from "@grpc/grpc-js";
import { CreateAuthTokenRequest, CreateAuthTokenResponse, DeepPartial, DeleteAuthTokenRequest, DeleteAuthTokenResponse, EmailLoginRequest, EmailLoginResponse, GetAuthTokenRequest, GetAuthTokenResponse, ListAuthTokensRawRequest, ListAuthTokensRawResponse, ListAuthTokensRequest, ListAuthTokensResponse, UserTokensServiceClient, VerifyTokenRequest, VerifyTokenResponse } from "./generated/vercel/authentication/v1/user_tokens";
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
/** When the read-only calls (get, list, list raw) are tried again. */
export interface RetryOptions {
    /** Attempts per call, the first included (default 3). */
    maxAttempts?: number;
    /** The first wait on UNAVAILABLE without a RetryInfo, doubling after (default 100 ms). */
    initialBackoffMs?: number;
}
/** How a UserTokensClient connects and calls. */
export interface ClientOptions {
    /**
     * The caller's Vercel token, sent with every call; without one the
     * server's own is used, if any.
     */
    token?: string;
    /** Plaintext instead of TLS, as inside a cluster or to localhost. */
    insecure?: boolean;
    /** TLS settings (TLS with Node's default roots when neither this nor insecure is set). */
    tls?: TlsOptions;
    /** Deadline of each call, retries included, in milliseconds (default 30 000). */
    deadlineMs?: number;
    /** Retry the read-only calls (default: never). `true` means the defaults. */
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
}
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
/**
 * A client of the vercel-user-tokens service. Every method returns a
 * promise of the response, or rejects with a UserTokensError subclass.
 *
 *     const client = new UserTokensClient("localhost:50051",
 *       { insecure: true, token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
export declare class UserTokensClient {
    /** The generated grpc-js client, for anything this class does not cover. */
    readonly stub: UserTokensServiceClient;
    private readonly metadata;
    private readonly deadlineMs;
    private readonly retry?;
    /**
     * `target` is `host:port`, or a gRPC name such as
     * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
     */
    constructor(target: string, options?: ClientOptions);
    /** GetAuthToken: one token's metadata. Retried when retry is on. */
    getAuthToken(request: DeepPartial<GetAuthTokenRequest>, options?: CallOptions): Promise<GetAuthTokenResult>;
    /** ListAuthTokens: every token, all pages. Retried when retry is on. */
    listAuthTokens(request?: DeepPartial<ListAuthTokensRequest>, options?: CallOptions): Promise<ListAuthTokensResponse>;
    /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
    listAuthTokensRaw(request?: DeepPartial<ListAuthTokensRawRequest>, options?: CallOptions): Promise<ListAuthTokensRawResult>;
    /** CreateAuthToken: a new token and its secret (`bearerToken`). Never retried. */
    createAuthToken(request: DeepPartial<CreateAuthTokenRequest>, options?: CallOptions): Promise<CreateAuthTokenResult>;
    /** DeleteAuthToken: revokes a token. Never retried. */
    deleteAuthToken(request: DeepPartial<DeleteAuthTokenRequest>, options?: CallOptions): Promise<DeleteAuthTokenResponse>;
    /** EmailLogin: starts Vercel's email login. Never retried. */
    emailLogin(request: DeepPartial<EmailLoginRequest>, options?: CallOptions): Promise<EmailLoginResponse>;
    /** VerifyToken: completes the email login. Never retried. */
    verifyToken(request: DeepPartial<VerifyTokenRequest>, options?: CallOptions): Promise<VerifyTokenResponse>;
    /** Closes the channel; calls in flight fail. */
    close(): void;
    private deadline;
    private once;
    private read;
    private delayAfter;
}
/** Returns call metadata that authenticates a call with a Vercel token. */
export declare function bearerMetadata(token: string): grpc.Metadata;
