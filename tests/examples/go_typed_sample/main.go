// Command go_typed_sample is a user's program over client/go: it drives the
// client into each error family and prints, one JSON line per case, which
// family errors.As found and what the error carried.
//
// go_example_test.py builds it in a module of its own that requires client/go
// (replaced by a local copy), and runs it against the real server
// (VUT_ADDRESS, VERCEL_TOKEN) after injecting a 403 on
// GET /v5/user/tokens/forbidden and a 429 (Retry-After: 30) on the list.
// With VUT_TLS_CA set it only lists tokens over TLS (listOverTLS).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/vercel-user-tokens/vercel-user-tokens/client/go/usertokens"
	authenticationv1 "github.com/vercel-user-tokens/vercel-user-tokens/client/go/vercel/authentication/v1"
)

// family names the family type errors.As finds in err.
func family(err error) string {
	var (
		invalid     *usertokens.InvalidArgumentError
		unauth      *usertokens.UnauthenticatedError
		denied      *usertokens.PermissionDeniedError
		notFound    *usertokens.NotFoundError
		rateLimited *usertokens.RateLimitedError
	)
	switch {
	case errors.As(err, &invalid):
		return "InvalidArgumentError"
	case errors.As(err, &unauth):
		return "UnauthenticatedError"
	case errors.As(err, &denied):
		return "PermissionDeniedError"
	case errors.As(err, &notFound):
		return "NotFoundError"
	case errors.As(err, &rateLimited):
		return "RateLimitedError"
	}
	return fmt.Sprintf("%T", err)
}

func report(name string, err error) {
	var e *usertokens.ServiceError
	if !errors.As(err, &e) {
		fmt.Fprintf(os.Stderr, "%s: not a ServiceError: %v\n", name, err)
		os.Exit(1)
	}
	var fields []string
	for _, v := range e.FieldViolations {
		fields = append(fields, v.Field)
	}
	line, _ := json.Marshal(map[string]any{
		"case": name, "type": family(err), "code": e.Code.String(),
		"reason": e.Reason, "domain": e.Domain, "http_status": e.HTTPStatus(),
		"metadata": e.Metadata, "has_retry_delay": e.HasRetryDelay,
		"retry_delay_s": e.RetryDelay.Seconds(), "fields": strings.Join(fields, ","),
		"rate_limit": e.RateLimit,
	})
	fmt.Println(string(line))
}

// listOverTLS lists tokens over TLS, trusting the CA in VUT_TLS_CA,
// verifying the name in VUT_TLS_NAME and presenting the client certificate
// and key in VUT_TLS_CERT and VUT_TLS_KEY (mutual TLS) when they are set, and
// prints the count or the family of the error.
func listOverTLS(address string) {
	client, err := usertokens.New(address, usertokens.WithToken(os.Getenv("VERCEL_TOKEN")),
		usertokens.WithDeadline(5*time.Second),
		usertokens.WithTLS(usertokens.TLSConfig{
			RootCAFile: os.Getenv("VUT_TLS_CA"), ServerName: os.Getenv("VUT_TLS_NAME"),
			CertFile: os.Getenv("VUT_TLS_CERT"), KeyFile: os.Getenv("VUT_TLS_KEY")}))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	listed, err := client.ListAuthTokens(context.Background(), &authenticationv1.ListAuthTokensRequest{})
	var unavailable *usertokens.UnavailableError
	switch {
	case err == nil:
		fmt.Println(len(listed.GetTokens()))
	case errors.As(err, &unavailable):
		fmt.Println("UnavailableError")
	default:
		panic(err)
	}
}

func main() {
	address := os.Getenv("VUT_ADDRESS")
	if os.Getenv("VUT_TLS_CA") != "" {
		listOverTLS(address)
		return
	}
	client, err := usertokens.New(address, usertokens.WithPlaintext(),
		usertokens.WithToken(os.Getenv("VERCEL_TOKEN")),
		usertokens.WithDeadline(5*time.Second), usertokens.WithRetry(usertokens.RetryPolicy{}))
	if err != nil {
		panic(err)
	}
	defer client.Close()
	anonymous, err := usertokens.New(address, usertokens.WithPlaintext())
	if err != nil {
		panic(err)
	}
	defer anonymous.Close()
	ctx := context.Background()
	get := func(c *usertokens.Client, id string) error {
		_, err := c.GetAuthToken(ctx, &authenticationv1.GetAuthTokenRequest{TokenId: id})
		return err
	}
	report("not_found", get(client, strings.Repeat("0", 64)))
	report("invalid_argument", get(client, "../x"))
	report("unauthenticated", get(anonymous, "current"))
	report("permission_denied", get(client, "forbidden"))
	// RetryInfo says 30 s, past the 5 s deadline: returned at once.
	_, err = client.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
	report("rate_limited", err)
}
