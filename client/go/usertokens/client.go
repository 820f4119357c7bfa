// Package usertokens is the client of the vercel-user-tokens gRPC service
// (vercel.authentication.v1.UserTokensService): a connection made with
// grpc.NewClient, the caller's Vercel token on every call, a default
// deadline, typed errors (errors.As with *NotFoundError, *RateLimitedError,
// ...) and an opt-in retry of the read-only calls that honours the server's
// RetryInfo and the deadline.
//
//	client, err := usertokens.New("localhost:50051",
//		usertokens.WithToken(os.Getenv("VERCEL_TOKEN")),
//		usertokens.WithDeadline(10*time.Second), usertokens.WithRetry(usertokens.RetryPolicy{}))
//	if err != nil { ... }
//	defer client.Close()
//	listed, err := client.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
package usertokens

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

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

// RetryPolicy retries the read-only calls (Get, List, ListRaw) that failed
// with RESOURCE_EXHAUSTED or UNAVAILABLE. The wait is the server's RetryInfo
// delay when it sent one, else a jittered backoff from InitialBackoff
// doubling per attempt. A wait that would end after the call's deadline is
// not waited: the error is returned at once. Create, Delete and the email
// login are never retried.
type RetryPolicy struct {
	// MaxAttempts counts the first call; 0 means 3.
	MaxAttempts int
	// InitialBackoff is the first wait without RetryInfo; 0 means 200 ms.
	InitialBackoff time.Duration
}

type options struct {
	token       string
	deadline    time.Duration
	tls         *TLSConfig
	retry       *RetryPolicy
	dialOptions []grpc.DialOption
}

// Option configures New.
type Option func(*options)

// WithToken sends the caller's Vercel token as `authorization: Bearer ...`
// on every call. Without it the server uses its own token, if it has one.
func WithToken(token string) Option { return func(o *options) { o.token = token } }

// WithDeadline bounds calls whose context has no deadline (default 30 s),
// retries included.
func WithDeadline(d time.Duration) Option { return func(o *options) { o.deadline = d } }

// WithTLS connects over TLS (default: plaintext, as inside a cluster).
func WithTLS(c TLSConfig) Option { return func(o *options) { o.tls = &c } }

// WithRetry turns on retries of the read-only calls.
func WithRetry(p RetryPolicy) Option { return func(o *options) { o.retry = &p } }

// WithDialOptions adds gRPC dial options, e.g. a service config choosing
// round_robin.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, opts...) }
}

// Client calls UserTokensService. It is safe for concurrent use; Close
// releases its connection.
type Client struct {
	conn *grpc.ClientConn
	stub authenticationv1.UserTokensServiceClient
	opts options
}

// New makes a client of the server at target, e.g. "localhost:50051" or
// "dns:///tokens-headless.tokens.svc:50051". It connects lazily, on the
// first call.
func New(target string, opts ...Option) (*Client, error) {
	o := options{deadline: 30 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	creds := insecure.NewCredentials()
	if o.tls != nil {
		config, err := tlsConfig(*o.tls)
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
	return &Client{conn: conn, stub: authenticationv1.NewUserTokensServiceClient(conn), opts: o}, nil
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
func (c *Client) GetAuthToken(ctx context.Context, req *authenticationv1.GetAuthTokenRequest) (*authenticationv1.GetAuthTokenResponse, error) {
	return call(ctx, c, true, req, c.stub.GetAuthToken)
}

// ListAuthTokens lists every token of the caller, all pages.
func (c *Client) ListAuthTokens(ctx context.Context, req *authenticationv1.ListAuthTokensRequest) (*authenticationv1.ListAuthTokensResponse, error) {
	return call(ctx, c, true, req, c.stub.ListAuthTokens)
}

// ListAuthTokensRaw reads one page of tokens as Vercel sent it.
func (c *Client) ListAuthTokensRaw(ctx context.Context, req *authenticationv1.ListAuthTokensRawRequest) (*authenticationv1.ListAuthTokensRawResponse, error) {
	return call(ctx, c, true, req, c.stub.ListAuthTokensRaw)
}

// CreateAuthToken creates a token; the response's BearerToken is its secret.
func (c *Client) CreateAuthToken(ctx context.Context, req *authenticationv1.CreateAuthTokenRequest) (*authenticationv1.CreateAuthTokenResponse, error) {
	return call(ctx, c, false, req, c.stub.CreateAuthToken)
}

// DeleteAuthToken revokes a token.
func (c *Client) DeleteAuthToken(ctx context.Context, req *authenticationv1.DeleteAuthTokenRequest) (*authenticationv1.DeleteAuthTokenResponse, error) {
	return call(ctx, c, false, req, c.stub.DeleteAuthToken)
}

// EmailLogin starts Vercel's email login.
func (c *Client) EmailLogin(ctx context.Context, req *authenticationv1.EmailLoginRequest) (*authenticationv1.EmailLoginResponse, error) {
	return call(ctx, c, false, req, c.stub.EmailLogin)
}

// VerifyToken completes an email login (*FailedPreconditionError until the
// user confirms).
func (c *Client) VerifyToken(ctx context.Context, req *authenticationv1.VerifyTokenRequest) (*authenticationv1.VerifyTokenResponse, error) {
	return call(ctx, c, false, req, c.stub.VerifyToken)
}

type method[Req, Resp any] func(context.Context, Req, ...grpc.CallOption) (Resp, error)

// call runs m with the token and the deadline, retrying read-only calls as
// the policy says, and returns its typed error.
func call[Req, Resp any](ctx context.Context, c *Client, readOnly bool, req Req, m method[Req, Resp]) (Resp, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.deadline)
		defer cancel()
	}
	if c.opts.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.opts.token)
	}
	attempts := 1
	if readOnly && c.opts.retry != nil {
		attempts = c.opts.retry.MaxAttempts
		if attempts == 0 {
			attempts = 3
		}
	}
	for attempt := 1; ; attempt++ {
		var header, trailer metadata.MD
		resp, err := m(ctx, req, grpc.Header(&header), grpc.Trailer(&trailer))
		if err == nil {
			return resp, nil
		}
		err = FromError(err, header, trailer)
		wait, retry := c.waitBefore(attempt, attempts, err)
		if deadline, _ := ctx.Deadline(); !retry || time.Now().Add(wait).After(deadline) {
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
