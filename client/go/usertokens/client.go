// Package usertokens is the client of the vercel-user-tokens gRPC service
// (vercel.authentication.v1.UserTokensService), following client/SPEC.md: a
// connection made with grpc.NewClient (TLS unless WithPlaintext), the
// caller's Vercel token (fixed, or from a TokenProvider) and the workload
// token on every call, a default deadline, typed errors (errors.As with
// *NotFoundError, *RateLimitedError, ...), per-call metadata and response
// metadata, a pager, automatic request ids on create, and an opt-in retry
// that honours the server's RetryInfo and the deadline.
//
//	client, err := usertokens.New("tokens.example.com:443",
//		usertokens.WithToken(os.Getenv("VERCEL_TOKEN")),
//		usertokens.WithDeadline(10*time.Second), usertokens.WithRetry(usertokens.RetryPolicy{}))
//	if err != nil { ... }
//	defer client.Close()
//	listed, err := client.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
package usertokens

import (
	"context"
	cryptorand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	authenticationv1 "github.com/vercel-user-tokens/vercel-user-tokens/client/go/vercel/authentication/v1"
)

// Version is the version of this package and of the contract.
const Version = authenticationv1.Version

// TLSConfig says how to reach a server that serves TLS. Empty file names
// mean: the system's CAs, no client certificate.
type TLSConfig struct {
	// RootCAFile holds PEM CAs to trust instead of the system's.
	RootCAFile string
	// CertFile and KeyFile are a PEM client certificate and key, for mutual
	// TLS; both or neither.
	CertFile, KeyFile string
	// ServerName is the name to verify the server's certificate against,
	// when it differs from the target's host.
	ServerName string
}

// RetryPolicy retries Get, List, ListRaw and Create (whose request_id makes
// a repeat safe) when they fail with RESOURCE_EXHAUSTED or UNAVAILABLE. The
// wait is the server's RetryInfo delay when it sent one, else a jittered
// backoff from InitialBackoff doubling per attempt. A wait that would end at
// or after the call's deadline is not waited: the error is returned at
// once. Delete and the email login are never retried.
type RetryPolicy struct {
	// MaxAttempts counts the first call; 0 means 3.
	MaxAttempts int
	// InitialBackoff is the first wait without RetryInfo; 0 means 200 ms.
	InitialBackoff time.Duration
}

// DefaultDeadline bounds a call whose context has no deadline, retries
// included, unless WithDeadline says otherwise.
const DefaultDeadline = 30 * time.Second

type options struct {
	token             string
	tokenProvider     TokenProvider
	workloadTokenFile string
	deadline          time.Duration
	tls               *TLSConfig
	plaintext         bool
	retry             *RetryPolicy
	dialOptions       []grpc.DialOption
}

// Option configures New.
type Option func(*options)

// WithToken sends the caller's Vercel token as `authorization: Bearer ...`
// on every call. Without it the server uses its own token, if it has one.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithTokenProvider calls p before every attempt for the caller's current
// Vercel token, instead of a fixed WithToken; e.g. TokenFileProvider(path).
// A provider's error fails the call before anything is sent.
func WithTokenProvider(p TokenProvider) Option {
	return func(o *options) { o.tokenProvider = p }
}

// WithWorkloadTokenFile sends the projected ServiceAccount token in path as
// metadata `x-workload-token` on every call, re-reading the file as the
// kubelet rotates it (see TokenFile).
func WithWorkloadTokenFile(path string) Option {
	return func(o *options) { o.workloadTokenFile = path }
}

// WithDeadline bounds calls whose context has no deadline (default
// DefaultDeadline), retries included.
func WithDeadline(d time.Duration) Option { return func(o *options) { o.deadline = d } }

// WithTLS says how to verify the server over TLS (the default, with the
// system's CAs) and what client certificate to present.
func WithTLS(c TLSConfig) Option { return func(o *options) { o.tls = &c } }

// WithPlaintext talks plaintext (no TLS). It must be asked for, to
// localhost too; e.g. inside a cluster, or against `make demo`.
func WithPlaintext() Option { return func(o *options) { o.plaintext = true } }

// WithRetry turns on retries (see RetryPolicy).
func WithRetry(p RetryPolicy) Option { return func(o *options) { o.retry = &p } }

// WithDialOptions adds gRPC dial options, e.g. a service config choosing
// round_robin.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, opts...) }
}

// CallOption configures one call.
type CallOption func(*callOptions)

type callOptions struct {
	metadata []string
	response *ResponseMetadata
}

// WithMetadata sends key, value pairs with the call, after the client's
// own; an "authorization" here replaces the client's token. (Metadata in
// ctx, from metadata.AppendToOutgoingContext, is sent too.)
func WithMetadata(kv ...string) CallOption {
	return func(c *callOptions) { c.metadata = append(c.metadata, kv...) }
}

// WithResponseMetadata fills md with Vercel's request id and rate limit
// when the call returns, on success and on failure.
func WithResponseMetadata(md *ResponseMetadata) CallOption {
	return func(c *callOptions) { c.response = md }
}

// Client calls UserTokensService. It is safe for concurrent use; Close
// releases its connection.
type Client struct {
	conn     *grpc.ClientConn
	stub     authenticationv1.UserTokensServiceClient
	opts     options
	workload *TokenFile
}

// New makes a client of the server at target, e.g. "tokens.example.com:443"
// or "dns:///tokens-headless.tokens.svc:50051". It speaks TLS unless
// WithPlaintext is given, and connects lazily, on the first call.
func New(target string, opts ...Option) (*Client, error) {
	o := options{deadline: DefaultDeadline}
	for _, opt := range opts {
		opt(&o)
	}
	if o.plaintext && o.tls != nil {
		return nil, errors.New("usertokens: WithTLS and WithPlaintext exclude each other")
	}
	if o.token != "" && o.tokenProvider != nil {
		return nil, errors.New("usertokens: WithToken and WithTokenProvider exclude each other")
	}
	creds := insecure.NewCredentials()
	if !o.plaintext {
		c := TLSConfig{}
		if o.tls != nil {
			c = *o.tls
		}
		config, err := tlsConfig(c)
		if err != nil {
			return nil, err
		}
		creds = credentials.NewTLS(config)
	}
	dial := append([]grpc.DialOption{grpc.WithTransportCredentials(creds)}, o.dialOptions...)
	conn, err := grpc.NewClient(target, dial...)
	if err != nil {
		return nil, err
	}
	client := &Client{conn: conn, stub: authenticationv1.NewUserTokensServiceClient(conn), opts: o}
	if o.workloadTokenFile != "" {
		client.workload = NewTokenFile(o.workloadTokenFile)
	}
	return client, nil
}

func tlsConfig(c TLSConfig) (*tls.Config, error) {
	config := &tls.Config{ServerName: c.ServerName, MinVersion: tls.VersionTLS12}
	if c.RootCAFile != "" {
		pem, err := os.ReadFile(c.RootCAFile)
		if err != nil {
			return nil, err
		}
		config.RootCAs = x509.NewCertPool()
		if !config.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("usertokens: no certificate in %s", c.RootCAFile)
		}
	}
	if c.CertFile != "" || c.KeyFile != "" {
		pair, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
		if err != nil {
			return nil, err
		}
		config.Certificates = []tls.Certificate{pair}
	}
	return config, nil
}

// Close closes the connection; calls in flight fail.
func (c *Client) Close() error { return c.conn.Close() }

// GetAuthToken gets one token's metadata (token_id "current": the caller's).
func (c *Client) GetAuthToken(ctx context.Context, req *authenticationv1.GetAuthTokenRequest, opts ...CallOption) (*authenticationv1.GetAuthTokenResponse, error) {
	return call(ctx, c, true, req, c.stub.GetAuthToken, opts)
}

// ListAuthTokens lists every token of the caller, all pages.
func (c *Client) ListAuthTokens(ctx context.Context, req *authenticationv1.ListAuthTokensRequest, opts ...CallOption) (*authenticationv1.ListAuthTokensResponse, error) {
	return call(ctx, c, true, req, c.stub.ListAuthTokens, opts)
}

// ListAuthTokensRaw reads one page of tokens as Vercel sent it.
func (c *Client) ListAuthTokensRaw(ctx context.Context, req *authenticationv1.ListAuthTokensRawRequest, opts ...CallOption) (*authenticationv1.ListAuthTokensRawResponse, error) {
	return call(ctx, c, true, req, c.stub.ListAuthTokensRaw, opts)
}

// ListAuthTokensRawPages yields page after page from req's cursor, passing
// each page's pagination.next_cursor as the next request's until, up to the
// last page; it stops after the first error, which it yields. Each page is
// one call with opts (and ctx's deadline, else the client's per page).
//
//	for page, err := range client.ListAuthTokensRawPages(ctx, &authenticationv1.ListAuthTokensRawRequest{Limit: 50}) {
//		if err != nil { ... }
//		for _, token := range page.GetTokens() { ... }
//	}
func (c *Client) ListAuthTokensRawPages(ctx context.Context, req *authenticationv1.ListAuthTokensRawRequest, opts ...CallOption) iter.Seq2[*authenticationv1.ListAuthTokensRawResponse, error] {
	return func(yield func(*authenticationv1.ListAuthTokensRawResponse, error) bool) {
		next := proto.Clone(req).(*authenticationv1.ListAuthTokensRawRequest)
		for {
			page, err := c.ListAuthTokensRaw(ctx, next, opts...)
			if !yield(page, err) || err != nil {
				return
			}
			cursor := page.GetPagination().GetNextCursor()
			if cursor == "" || cursor == next.GetUntil() {
				return
			}
			next = proto.Clone(next).(*authenticationv1.ListAuthTokensRawRequest)
			next.Until, next.Since = cursor, ""
		}
	}
}

// CreateAuthToken creates a token; the response's BearerToken is its secret.
// Without a RequestId the call gets a fresh UUID v4 one, which the client's
// retries repeat, so a retry never makes a second token; req itself is left
// unchanged.
func (c *Client) CreateAuthToken(ctx context.Context, req *authenticationv1.CreateAuthTokenRequest, opts ...CallOption) (*authenticationv1.CreateAuthTokenResponse, error) {
	if req.GetRequestId() == "" {
		id, err := newUUID()
		if err != nil {
			return nil, err
		}
		req = proto.Clone(req).(*authenticationv1.CreateAuthTokenRequest)
		req.RequestId = id
	}
	return call(ctx, c, true, req, c.stub.CreateAuthToken, opts)
}

// DeleteAuthToken revokes a token. Never retried.
func (c *Client) DeleteAuthToken(ctx context.Context, req *authenticationv1.DeleteAuthTokenRequest, opts ...CallOption) (*authenticationv1.DeleteAuthTokenResponse, error) {
	return call(ctx, c, false, req, c.stub.DeleteAuthToken, opts)
}

// EmailLogin starts Vercel's email login. Never retried.
func (c *Client) EmailLogin(ctx context.Context, req *authenticationv1.EmailLoginRequest, opts ...CallOption) (*authenticationv1.EmailLoginResponse, error) {
	return call(ctx, c, false, req, c.stub.EmailLogin, opts)
}

// VerifyToken completes an email login (*FailedPreconditionError until the
// user confirms). Never retried.
func (c *Client) VerifyToken(ctx context.Context, req *authenticationv1.VerifyTokenRequest, opts ...CallOption) (*authenticationv1.VerifyTokenResponse, error) {
	return call(ctx, c, false, req, c.stub.VerifyToken, opts)
}

// newUUID returns a random (version 4) UUID.
func newUUID() (string, error) {
	var b [16]byte
	if _, err := cryptorand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]), nil
}

type method[Req, Resp any] func(context.Context, Req, ...grpc.CallOption) (Resp, error)

// outgoing returns ctx with the metadata of one attempt: the caller's token
// and the workload token, read now, then the call's own pairs.
func (c *Client) outgoing(ctx context.Context, perCall []string) (context.Context, error) {
	overridden := false
	for i := 0; i+1 < len(perCall); i += 2 {
		overridden = overridden || strings.EqualFold(perCall[i], "authorization")
	}
	if md, ok := metadata.FromOutgoingContext(ctx); ok && len(md.Get("authorization")) > 0 {
		overridden = true
	}
	var pairs []string
	token := c.opts.token
	if c.opts.tokenProvider != nil {
		var err error
		if token, err = c.opts.tokenProvider(ctx); err != nil {
			var e *ServiceError
			if errors.As(err, &e) {
				return nil, err
			}
			return nil, credentialsUnavailable(fmt.Sprintf("the token provider failed: %v", err))
		}
	}
	if token != "" && !overridden {
		pairs = append(pairs, "authorization", "Bearer "+token)
	}
	if c.workload != nil {
		workload, err := c.workload.Read()
		if err != nil {
			return nil, err
		}
		pairs = append(pairs, "x-workload-token", workload)
	}
	pairs = append(pairs, perCall...)
	if len(pairs) == 0 {
		return ctx, nil
	}
	return metadata.AppendToOutgoingContext(ctx, pairs...), nil
}

// call runs m with the credentials and the deadline, retrying as the
// policy says, and returns its typed error.
func call[Req, Resp any](ctx context.Context, c *Client, retryable bool, req Req, m method[Req, Resp], opts []CallOption) (Resp, error) {
	var co callOptions
	for _, opt := range opts {
		opt(&co)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.deadline)
		defer cancel()
	}
	attempts := 1
	if retryable && c.opts.retry != nil {
		attempts = c.opts.retry.MaxAttempts
		if attempts == 0 {
			attempts = 3
		}
	}
	for attempt := 1; ; attempt++ {
		var header, trailer metadata.MD
		var resp Resp
		attemptCtx, err := c.outgoing(ctx, co.metadata)
		if err != nil {
			return resp, err
		}
		resp, err = m(attemptCtx, req, grpc.Header(&header), grpc.Trailer(&trailer))
		if co.response != nil {
			co.response.fill(header, trailer)
		}
		if err == nil {
			return resp, nil
		}
		err = FromError(err, header, trailer)
		wait, retry := c.waitBefore(attempt, attempts, err)
		if deadline, _ := ctx.Deadline(); !retry || !time.Now().Add(wait).Before(deadline) {
			return resp, err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return resp, err
		case <-timer.C:
		}
	}
}

// waitBefore says whether attempt+1 may follow err, and after how long.
func (c *Client) waitBefore(attempt, attempts int, err error) (time.Duration, bool) {
	var limited *RateLimitedError
	var unavailable *UnavailableError
	if attempt >= attempts || !(errors.As(err, &limited) || errors.As(err, &unavailable)) {
		return 0, false
	}
	var e *ServiceError
	if errors.As(err, &e) && e.HasRetryDelay {
		return e.RetryDelay, true
	}
	backoff := c.opts.retry.InitialBackoff
	if backoff == 0 {
		backoff = 200 * time.Millisecond
	}
	backoff <<= attempt - 1
	return time.Duration((0.5 + rand.Float64()/2) * float64(backoff)), true
}
