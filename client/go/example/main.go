// Command example lists, creates, gets and deletes a Vercel user token through
// the vercel-user-tokens service, then shows what a caller gets for a token
// that does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//	VUT_ADDRESS=localhost:50051 VUT_PLAINTEXT=1 VERCEL_TOKEN=... \
//	  VERCEL_TEAM_ID=team_... go run ./example
//
// Reads are retried when the server says how long to wait (RetryInfo),
// within the 10 s deadline. It exits 1, with the error's details on stderr,
// when a step that should work fails.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"

	"github.com/vercel-user-tokens/vercel-user-tokens/client/go/usertokens"
	authenticationv1 "github.com/vercel-user-tokens/vercel-user-tokens/client/go/vercel/authentication/v1"
)

// describe prints what a failed call carries: its status and decoded details.
func describe(err error, w io.Writer) {
	var e *usertokens.ServiceError
	if !errors.As(err, &e) {
		fmt.Fprintf(w, "  error: %v\n", err)
		return
	}
	// google.rpc.Code names the codes as every other language does
	// (NOT_FOUND); Go's own codes.Code prints NotFound.
	fmt.Fprintf(w, "  code: %s (%d)\n", code.Code(e.Code), e.Code)
	fmt.Fprintf(w, "  message: %s\n", e.Message)
	if e.Reason != "" {
		fmt.Fprintf(w, "  error_info: reason=%s domain=%s\n", e.Reason, e.Domain)
		keys := make([]string, 0, len(e.Metadata))
		for key := range e.Metadata {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			fmt.Fprintf(w, "  error_info.metadata: %s=%s\n", key, e.Metadata[key])
		}
	}
	if e.HasRetryDelay {
		fmt.Fprintf(w, "  retry_info: retry after %gs\n", e.RetryDelay.Seconds())
	} else {
		fmt.Fprintln(w, "  retry_info: none")
	}
	for _, v := range e.FieldViolations {
		fmt.Fprintf(w, "  bad_request: %s: %s\n", v.Field, v.Description)
	}
}

// showFailure prints the error of a call that is expected to fail.
func showFailure(what string, err error) error {
	if err == nil {
		return fmt.Errorf("%s unexpectedly succeeded", what)
	}
	fmt.Printf("%s failed:\n", what)
	describe(err, os.Stdout)
	return nil
}

func run() int {
	options := []usertokens.Option{
		usertokens.WithToken(os.Getenv("VERCEL_TOKEN")),
		usertokens.WithDeadline(10 * time.Second),
		usertokens.WithRetry(usertokens.RetryPolicy{})}
	// TLS is the default; VUT_PLAINTEXT=1 asks for plaintext, as to a server
	// inside the cluster or `make demo`.
	if os.Getenv("VUT_PLAINTEXT") == "1" {
		options = append(options, usertokens.WithPlaintext())
	}
	client, err := usertokens.New(os.Getenv("VUT_ADDRESS"), options...)
	if err != nil {
		fmt.Fprintf(os.Stderr, "connecting: %v\n", err)
		return 1
	}
	defer client.Close()
	ctx := context.Background()
	teamID := os.Getenv("VERCEL_TEAM_ID")

	step := "ListAuthTokens"
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "%s failed:\n", step)
		describe(err, os.Stderr)
		return 1
	}
	listed, err := client.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
	if err != nil {
		return fail(err)
	}
	names := make([]string, 0, len(listed.GetTokens()))
	for _, token := range listed.GetTokens() {
		names = append(names, token.GetName())
	}
	fmt.Printf("listed %d token(s): %s\n", len(names), strings.Join(names, ", "))

	step = "CreateAuthToken"
	created, err := client.CreateAuthToken(ctx, &authenticationv1.CreateAuthTokenRequest{
		TeamId: teamID, Name: "example-go"})
	if err != nil {
		return fail(err)
	}
	id := created.GetToken().GetId()
	// created.BearerToken is the new token's secret: Vercel returns it only
	// this once, so store it safely (never log it).
	fmt.Printf("created token %s named %s\n", id, created.GetToken().GetName())

	step = "GetAuthToken"
	got, err := client.GetAuthToken(ctx, &authenticationv1.GetAuthTokenRequest{TokenId: id})
	if err != nil {
		return fail(err)
	}
	fmt.Printf("got token %s named %s, prefix %s\n", got.GetToken().GetId(),
		got.GetToken().GetName(), got.GetToken().GetPrefix())

	step = "DeleteAuthToken"
	deleted, err := client.DeleteAuthToken(ctx, &authenticationv1.DeleteAuthTokenRequest{TokenId: id})
	if err != nil {
		return fail(err)
	}
	fmt.Printf("deleted token %s\n", deleted.GetTokenId())

	_, err = client.GetAuthToken(ctx, &authenticationv1.GetAuthTokenRequest{TokenId: id})
	if err := showFailure("getting the deleted token", err); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_, err = client.GetAuthToken(ctx, &authenticationv1.GetAuthTokenRequest{TokenId: "../x"})
	if err := showFailure(`getting token id "../x"`, err); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func main() {
	os.Exit(run())
}
