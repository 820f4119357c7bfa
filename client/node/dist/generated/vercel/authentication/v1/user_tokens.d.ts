import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { type CallOptions, type ChannelCredentials, Client, type ClientOptions, type ClientUnaryCall, type handleUnaryCall, type Metadata, type ServiceError, type UntypedServiceImplementation } from "@grpc/grpc-js";
export declare const protobufPackage = "vercel.authentication.v1";
export declare const protobufFileName = "vercel/authentication/v1/user_tokens.proto";
/**
 * The metadata of a Vercel user token (Vercel's `AuthToken`). It never holds
 * the token's secret.
 */
export interface AuthToken {
    /** The token's identifier (Vercel's `id`), e.g. 64 hexadecimal characters. */
    id: string;
    /** The token's human-readable name (Vercel's `name`). */
    name: string;
    /** The token's kind (Vercel's `type`), e.g. `oauth2-token`. */
    type: string;
    /**
     * How the token was created (Vercel's `origin`), e.g. `github`, `email`,
     * `manual`, `saml`; empty when Vercel does not say.
     */
    origin: string;
    /**
     * What the token may act on (Vercel's `scopes`); empty when Vercel does not
     * say.
     */
    scopes: TokenScope[];
    /** When the token expires (Vercel's `expiresAt`); unset when it never does. */
    expiresAt: Date | undefined;
    /** When the token was last used (Vercel's `activeAt`). */
    activeAt: Date | undefined;
    /** When the token was created (Vercel's `createdAt`). */
    createdAt: Date | undefined;
    /**
     * The first characters of the secret (Vercel's `prefix`), e.g. `vcp_`,
     * to recognise it without revealing it; empty when Vercel does not say.
     */
    prefix: string;
    /**
     * The last characters of the secret (Vercel's `suffix`); empty when Vercel
     * does not say.
     */
    suffix: string;
    /**
     * When Vercel's secret scanning found the token in public (Vercel's
     * `leakedAt`); unset when it never did.
     */
    leakedAt: Date | undefined;
    /**
     * Where Vercel's secret scanning found the token (Vercel's `leakedUrl`),
     * e.g. a GitHub URL; empty when it never did.
     */
    leakedUrl: string;
    /**
     * When the token was revoked (Vercel's `revokedAt`); unset while it is
     * not.
     */
    revokedAt: Date | undefined;
    /**
     * The project a project-scoped token is limited to (Vercel's
     * `projectId`); empty for other tokens.
     */
    projectId: string;
}
/**
 * One scope of a token (an element of Vercel's `scopes`): the user account or
 * one team.
 */
export interface TokenScope {
    /** The scope's kind (Vercel's `type`): `user` or `team`. */
    type: string;
    /**
     * The team the scope grants access to (Vercel's `teamId`); empty for a
     * `user` scope.
     */
    teamId: string;
    /** How the scope was granted (Vercel's `origin`). */
    origin: string;
    /** When the scope was granted (Vercel's `createdAt`). */
    createdAt: Date | undefined;
    /** When the scope expires (Vercel's `expiresAt`); unset when it never does. */
    expiresAt: Date | undefined;
    /**
     * A step-up verification of a `user` scope (Vercel's `sudo`); unset when
     * Vercel sends none.
     */
    sudo: SudoVerification | undefined;
}
/** A step-up ("sudo") verification of a user scope (Vercel's `scopes[].sudo`). */
export interface SudoVerification {
    /**
     * How the user verified (Vercel's `origin`), e.g. `email-otp`, `otp`,
     * `recovery-code`, `totp`, `webauthn`.
     */
    origin: string;
    /** When the verification lapses (Vercel's `expiresAt`). */
    expiresAt: Date | undefined;
    /**
     * When the user verified (Vercel's `verifiedAt`); unset when Vercel does
     * not say.
     */
    verifiedAt: Date | undefined;
}
/**
 * Vercel's cursor-based pagination of a token listing (Vercel's
 * `pagination`).
 */
export interface Pagination {
    /** The number of tokens in this page (Vercel's `count`). */
    count: number;
    /**
     * The cursor of the next page, in milliseconds since the Unix epoch, as
     * Vercel sends it (Vercel's `next`); unset when there is no next page.
     */
    next?: number | undefined;
    /**
     * The cursor of the previous page, in milliseconds since the Unix epoch, as
     * Vercel sends it (Vercel's `prev`); unset when there is no previous page.
     */
    prev?: number | undefined;
    /**
     * The cursor of the next page as text, whatever type Vercel sent it in
     * (Vercel's `next`); pass it as ListAuthTokensRawRequest.until to read the
     * next page. Empty when there is no next page.
     */
    nextCursor: string;
    /**
     * The cursor of the previous page as text (Vercel's `prev`); pass it as
     * ListAuthTokensRawRequest.since. Empty when there is no previous page.
     */
    prevCursor: string;
}
/** The request of GetAuthToken. */
export interface GetAuthTokenRequest {
    /**
     * The token to read (path parameter `tokenId`). Required. `current` means
     * the token the call is authenticated with.
     */
    tokenId: string;
    /** Acts on behalf of this team (query parameter `teamId`). Optional. */
    teamId: string;
    /**
     * Acts on behalf of the team with this URL slug (query parameter `slug`).
     * Optional.
     */
    slug: string;
}
/** The response of GetAuthToken. */
export interface GetAuthTokenResponse {
    /** The token's metadata (Vercel's `token`). */
    token: AuthToken | undefined;
}
/** The request of ListAuthTokens. */
export interface ListAuthTokensRequest {
    /** Acts on behalf of this team (query parameter `teamId`). Optional. */
    teamId: string;
    /**
     * Acts on behalf of the team with this URL slug (query parameter `slug`).
     * Optional.
     */
    slug: string;
}
/** The response of ListAuthTokens. */
export interface ListAuthTokensResponse {
    /**
     * Every token of every page (the `tokens` of each page), newest first, as
     * Vercel orders them.
     */
    tokens: AuthToken[];
}
/**
 * The request of CreateAuthToken. Vercel accepts a plain token (`name`,
 * `expires_at`, optionally `project_id`) or, as the StackQL description
 * says, an OAuth2 token (`type` `oauth2-token`, plus `client_id` and
 * `installation_id`).
 */
export interface CreateAuthTokenRequest {
    /**
     * The team the token is created for (query parameter `teamId`). Optional:
     * without it Vercel creates an account-wide token and no `teamId` is sent.
     */
    teamId: string;
    /**
     * Acts on behalf of the team with this URL slug (query parameter `slug`).
     * Optional.
     */
    slug: string;
    /** The token's name (body field `name`). Required, at most 256 bytes. */
    name: string;
    /**
     * When the token expires (body field `expiresAt`, sent in milliseconds).
     * Optional: unset means it never does.
     */
    expiresAt: Date | undefined;
    /**
     * The token's kind (body field `type`): empty or `oauth2-token`. The
     * StackQL description names `oauth2-token`; Vercel's current API no longer
     * documents it.
     */
    type: string;
    /**
     * The OAuth2 client the token is for (body field `clientId`). Only with
     * `type` `oauth2-token`.
     */
    clientId: string;
    /**
     * The integration installation the token is for (body field
     * `installationId`). Only with `type` `oauth2-token`.
     */
    installationId: string;
    /**
     * The project a project-scoped token is limited to (body field
     * `projectId`). Optional; requires `team_id`.
     */
    projectId: string;
    /**
     * A caller-chosen UUID that makes the call idempotent (AIP-155): a repeat
     * with the same `request_id` by the same caller within the server's
     * idempotency window returns the first call's response without creating a
     * second token. Optional; never sent upstream.
     */
    requestId: string;
}
/** The response of CreateAuthToken. */
export interface CreateAuthTokenResponse {
    /** The new token's metadata (Vercel's `token`). */
    token: AuthToken | undefined;
    /**
     * The new token's secret (Vercel's `bearerToken`). Vercel returns it only
     * this once: store it safely.
     */
    bearerToken: string;
}
/** The request of DeleteAuthToken. */
export interface DeleteAuthTokenRequest {
    /**
     * The token to revoke (path parameter `tokenId`). Required. `current`
     * revokes the token the call is authenticated with.
     */
    tokenId: string;
    /** Acts on behalf of this team (query parameter `teamId`). Optional. */
    teamId: string;
    /**
     * Acts on behalf of the team with this URL slug (query parameter `slug`).
     * Optional.
     */
    slug: string;
}
/** The response of DeleteAuthToken. */
export interface DeleteAuthTokenResponse {
    /** The identifier of the revoked token (Vercel's `tokenId`). */
    tokenId: string;
}
/** The request of ListAuthTokensRaw. */
export interface ListAuthTokensRawRequest {
    /** Acts on behalf of this team (query parameter `teamId`). Optional. */
    teamId: string;
    /**
     * Acts on behalf of the team with this URL slug (query parameter `slug`).
     * Optional.
     */
    slug: string;
    /**
     * The most tokens the page holds (query parameter `limit`), 1 to 100;
     * 0 lets Vercel choose.
     */
    limit: number;
    /**
     * Reads the page after this cursor (query parameter `until`): a previous
     * page's `pagination.next_cursor`. Optional.
     */
    until: string;
    /**
     * Reads the page before this cursor (query parameter `since`): a previous
     * page's `pagination.prev_cursor`. Optional.
     */
    since: string;
}
/**
 * The response of ListAuthTokensRaw: the whole body of one
 * `GET /v5/user/tokens`.
 */
export interface ListAuthTokensRawResponse {
    /** The tokens of this page (Vercel's `tokens`). */
    tokens: AuthToken[];
    /**
     * The token used by Vercel's test tooling (Vercel's `testingToken`); unset
     * when Vercel sends none.
     */
    testingToken: AuthToken | undefined;
    /** Where this page sits in the listing (Vercel's `pagination`). */
    pagination: Pagination | undefined;
}
/** The request of EmailLogin. */
export interface EmailLoginRequest {
    /**
     * The address Vercel emails the login link to (body field `email`).
     * Required.
     */
    email: string;
    /**
     * The name the token created at verification gets (body field
     * `tokenName`). Optional.
     */
    tokenName: string;
}
/** The response of EmailLogin. */
export interface EmailLoginResponse {
    /**
     * The verification token to pass to VerifyToken (Vercel's `token`). A
     * secret.
     */
    token: string;
    /**
     * The words to show the user so they can match them with the email
     * (Vercel's `securityCode`), e.g. `Practical Saola`.
     */
    securityCode: string;
}
/** The request of VerifyToken. */
export interface VerifyTokenRequest {
    /**
     * The verification token returned by EmailLogin (query parameter `token`).
     * Required.
     */
    token: string;
    /**
     * The email address the login was started for (query parameter `email`).
     * Optional.
     */
    email: string;
    /** The name of the token to create (query parameter `tokenName`). Optional. */
    tokenName: string;
    /** The SSO user to verify (query parameter `ssoUserId`). Optional. */
    ssoUserId: string;
    /**
     * The name of a team to create for a new user (query parameter
     * `teamName`). Optional.
     */
    teamName: string;
    /**
     * The slug of a team to create for a new user (query parameter
     * `teamSlug`). Optional.
     */
    teamSlug: string;
    /**
     * The plan of a team to create for a new user (query parameter
     * `teamPlan`): empty, `pro` or `hobby`.
     */
    teamPlan: string;
}
/** The response of VerifyToken. */
export interface VerifyTokenResponse {
    /** The new bearer token (Vercel's `token`). A secret. */
    token: string;
    /** The email address of the user who logged in (Vercel's `email`). */
    email: string;
    /**
     * The team the user logged in to (Vercel's `teamId`); empty when Vercel
     * sends none.
     */
    teamId: string;
}
export declare const AuthToken: MessageFns<AuthToken>;
export declare const TokenScope: MessageFns<TokenScope>;
export declare const SudoVerification: MessageFns<SudoVerification>;
export declare const Pagination: MessageFns<Pagination>;
export declare const GetAuthTokenRequest: MessageFns<GetAuthTokenRequest>;
export declare const GetAuthTokenResponse: MessageFns<GetAuthTokenResponse>;
export declare const ListAuthTokensRequest: MessageFns<ListAuthTokensRequest>;
export declare const ListAuthTokensResponse: MessageFns<ListAuthTokensResponse>;
export declare const CreateAuthTokenRequest: MessageFns<CreateAuthTokenRequest>;
export declare const CreateAuthTokenResponse: MessageFns<CreateAuthTokenResponse>;
export declare const DeleteAuthTokenRequest: MessageFns<DeleteAuthTokenRequest>;
export declare const DeleteAuthTokenResponse: MessageFns<DeleteAuthTokenResponse>;
export declare const ListAuthTokensRawRequest: MessageFns<ListAuthTokensRawRequest>;
export declare const ListAuthTokensRawResponse: MessageFns<ListAuthTokensRawResponse>;
export declare const EmailLoginRequest: MessageFns<EmailLoginRequest>;
export declare const EmailLoginResponse: MessageFns<EmailLoginResponse>;
export declare const VerifyTokenRequest: MessageFns<VerifyTokenRequest>;
export declare const VerifyTokenResponse: MessageFns<VerifyTokenResponse>;
/**
 * Issues, inspects, lists and revokes Vercel user tokens, and runs Vercel's
 * email-login flow, by calling the Vercel REST API (https://api.vercel.com).
 *
 * Authenticated methods forward the caller's Vercel token, sent as gRPC
 * metadata `authorization: Bearer <token>`, to Vercel. EmailLogin and
 * VerifyToken never send a token upstream. Errors carry google.rpc.Status
 * details: an ErrorInfo (reason, domain, metadata `http_status` and
 * `vercel_code`) and, when Vercel says how long to wait, a RetryInfo.
 */
export type UserTokensServiceService = typeof UserTokensServiceService;
export declare const UserTokensServiceService: {
    /**
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     */
    readonly getAuthToken: {
        readonly path: "/vercel.authentication.v1.UserTokensService/GetAuthToken";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: GetAuthTokenRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => GetAuthTokenRequest;
        readonly responseSerialize: (value: GetAuthTokenResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => GetAuthTokenResponse;
    };
    /**
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     */
    readonly listAuthTokens: {
        readonly path: "/vercel.authentication.v1.UserTokensService/ListAuthTokens";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: ListAuthTokensRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => ListAuthTokensRequest;
        readonly responseSerialize: (value: ListAuthTokensResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => ListAuthTokensResponse;
    };
    /**
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     */
    readonly createAuthToken: {
        readonly path: "/vercel.authentication.v1.UserTokensService/CreateAuthToken";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: CreateAuthTokenRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => CreateAuthTokenRequest;
        readonly responseSerialize: (value: CreateAuthTokenResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => CreateAuthTokenResponse;
    };
    /**
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     */
    readonly deleteAuthToken: {
        readonly path: "/vercel.authentication.v1.UserTokensService/DeleteAuthToken";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: DeleteAuthTokenRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => DeleteAuthTokenRequest;
        readonly responseSerialize: (value: DeleteAuthTokenResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => DeleteAuthTokenResponse;
    };
    /**
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     */
    readonly listAuthTokensRaw: {
        readonly path: "/vercel.authentication.v1.UserTokensService/ListAuthTokensRaw";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: ListAuthTokensRawRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => ListAuthTokensRawRequest;
        readonly responseSerialize: (value: ListAuthTokensRawResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => ListAuthTokensRawResponse;
    };
    /**
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     */
    readonly emailLogin: {
        readonly path: "/vercel.authentication.v1.UserTokensService/EmailLogin";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: EmailLoginRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => EmailLoginRequest;
        readonly responseSerialize: (value: EmailLoginResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => EmailLoginResponse;
    };
    /**
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     */
    readonly verifyToken: {
        readonly path: "/vercel.authentication.v1.UserTokensService/VerifyToken";
        readonly requestStream: false;
        readonly responseStream: false;
        readonly requestSerialize: (value: VerifyTokenRequest) => Buffer;
        readonly requestDeserialize: (value: Buffer) => VerifyTokenRequest;
        readonly responseSerialize: (value: VerifyTokenResponse) => Buffer;
        readonly responseDeserialize: (value: Buffer) => VerifyTokenResponse;
    };
};
export interface UserTokensServiceServer extends UntypedServiceImplementation {
    /**
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     */
    getAuthToken: handleUnaryCall<GetAuthTokenRequest, GetAuthTokenResponse>;
    /**
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     */
    listAuthTokens: handleUnaryCall<ListAuthTokensRequest, ListAuthTokensResponse>;
    /**
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     */
    createAuthToken: handleUnaryCall<CreateAuthTokenRequest, CreateAuthTokenResponse>;
    /**
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     */
    deleteAuthToken: handleUnaryCall<DeleteAuthTokenRequest, DeleteAuthTokenResponse>;
    /**
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     */
    listAuthTokensRaw: handleUnaryCall<ListAuthTokensRawRequest, ListAuthTokensRawResponse>;
    /**
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     */
    emailLogin: handleUnaryCall<EmailLoginRequest, EmailLoginResponse>;
    /**
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     */
    verifyToken: handleUnaryCall<VerifyTokenRequest, VerifyTokenResponse>;
}
export interface UserTokensServiceClient extends Client {
    /**
     * Returns the metadata of one token. Mirrors StackQL's `get_auth_token`:
     * `GET /v5/user/tokens/{tokenId}`.
     */
    getAuthToken(request: GetAuthTokenRequest, callback: (error: ServiceError | null, response: GetAuthTokenResponse) => void): ClientUnaryCall;
    getAuthToken(request: GetAuthTokenRequest, metadata: Metadata, callback: (error: ServiceError | null, response: GetAuthTokenResponse) => void): ClientUnaryCall;
    getAuthToken(request: GetAuthTokenRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: GetAuthTokenResponse) => void): ClientUnaryCall;
    /**
     * Returns every token of the authenticated user, following Vercel's
     * pagination to the end. Mirrors StackQL's `list_auth_tokens`; reads
     * today's documented listing, `GET /v6/user/tokens?limit=100`, following
     * `until` cursors. Either every token comes back or the call fails (reason
     * `LIST_INCOMPLETE` when the listing cannot be read to its end).
     */
    listAuthTokens(request: ListAuthTokensRequest, callback: (error: ServiceError | null, response: ListAuthTokensResponse) => void): ClientUnaryCall;
    listAuthTokens(request: ListAuthTokensRequest, metadata: Metadata, callback: (error: ServiceError | null, response: ListAuthTokensResponse) => void): ClientUnaryCall;
    listAuthTokens(request: ListAuthTokensRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: ListAuthTokensResponse) => void): ClientUnaryCall;
    /**
     * Creates a token and returns its secret, which Vercel shows only this
     * once. Mirrors StackQL's `create_auth_token`: `POST /v3/user/tokens`.
     * Without a team it creates an account-wide token. A repeat of the same
     * `request_id` returns the first call's response (AIP-155).
     */
    createAuthToken(request: CreateAuthTokenRequest, callback: (error: ServiceError | null, response: CreateAuthTokenResponse) => void): ClientUnaryCall;
    createAuthToken(request: CreateAuthTokenRequest, metadata: Metadata, callback: (error: ServiceError | null, response: CreateAuthTokenResponse) => void): ClientUnaryCall;
    createAuthToken(request: CreateAuthTokenRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: CreateAuthTokenResponse) => void): ClientUnaryCall;
    /**
     * Revokes a token. Mirrors StackQL's `delete_auth_token`:
     * `DELETE /v3/user/tokens/{tokenId}`.
     */
    deleteAuthToken(request: DeleteAuthTokenRequest, callback: (error: ServiceError | null, response: DeleteAuthTokenResponse) => void): ClientUnaryCall;
    deleteAuthToken(request: DeleteAuthTokenRequest, metadata: Metadata, callback: (error: ServiceError | null, response: DeleteAuthTokenResponse) => void): ClientUnaryCall;
    deleteAuthToken(request: DeleteAuthTokenRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: DeleteAuthTokenResponse) => void): ClientUnaryCall;
    /**
     * Returns one page of `GET /v5/user/tokens` as Vercel sends it: tokens,
     * testing token and pagination. Mirrors StackQL's `_list_auth_tokens`.
     */
    listAuthTokensRaw(request: ListAuthTokensRawRequest, callback: (error: ServiceError | null, response: ListAuthTokensRawResponse) => void): ClientUnaryCall;
    listAuthTokensRaw(request: ListAuthTokensRawRequest, metadata: Metadata, callback: (error: ServiceError | null, response: ListAuthTokensRawResponse) => void): ClientUnaryCall;
    listAuthTokensRaw(request: ListAuthTokensRawRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: ListAuthTokensRawResponse) => void): ClientUnaryCall;
    /**
     * Starts Vercel's email login: Vercel emails the user a link and returns a
     * verification token and a security code. Mirrors StackQL's `email_login`:
     * `POST /registration`. Sends no Authorization header upstream.
     */
    emailLogin(request: EmailLoginRequest, callback: (error: ServiceError | null, response: EmailLoginResponse) => void): ClientUnaryCall;
    emailLogin(request: EmailLoginRequest, metadata: Metadata, callback: (error: ServiceError | null, response: EmailLoginResponse) => void): ClientUnaryCall;
    emailLogin(request: EmailLoginRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: EmailLoginResponse) => void): ClientUnaryCall;
    /**
     * Exchanges a confirmed verification token for a new bearer token. Fails
     * with FAILED_PRECONDITION while the user has not yet confirmed the email,
     * so that callers can poll. Mirrors StackQL's `verify_token`:
     * `GET /registration/verify`. Sends no Authorization header upstream.
     */
    verifyToken(request: VerifyTokenRequest, callback: (error: ServiceError | null, response: VerifyTokenResponse) => void): ClientUnaryCall;
    verifyToken(request: VerifyTokenRequest, metadata: Metadata, callback: (error: ServiceError | null, response: VerifyTokenResponse) => void): ClientUnaryCall;
    verifyToken(request: VerifyTokenRequest, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: VerifyTokenResponse) => void): ClientUnaryCall;
}
export declare const UserTokensServiceClient: {
    new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>): UserTokensServiceClient;
    service: typeof UserTokensServiceService;
    serviceName: string;
};
type Builtin = Date | Function | Uint8Array | string | number | boolean | undefined;
export type DeepPartial<T> = T extends Builtin ? T : T extends globalThis.Array<infer U> ? globalThis.Array<DeepPartial<U>> : T extends ReadonlyArray<infer U> ? ReadonlyArray<DeepPartial<U>> : T extends {} ? {
    [K in keyof T]?: DeepPartial<T[K]>;
} : Partial<T>;
type KeysOfUnion<T> = T extends T ? keyof T : never;
export type Exact<P, I extends P> = P extends Builtin ? P : P & {
    [K in keyof P]: Exact<P[K], I[K]>;
} & {
    [K in Exclude<keyof I, KeysOfUnion<P>>]: never;
};
export interface MessageFns<T> {
    encode(message: T, writer?: BinaryWriter): BinaryWriter;
    decode(input: BinaryReader | Uint8Array, length?: number): T;
    fromJSON(object: any): T;
    toJSON(message: T): unknown;
    create<I extends Exact<DeepPartial<T>, I>>(base?: I): T;
    fromPartial<I extends Exact<DeepPartial<T>, I>>(object: I): T;
}
export {};
