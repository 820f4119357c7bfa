// Command example lists, creates, gets and deletes a Vercel user token through
// the vercel-user-tokens service, then shows what a caller gets for a token
// that does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).
//
//	VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \
//	  go run ./example
//
// It exits 1, with the error's details on stderr, when a step that should
// work fails.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	authenticationv1 "github.com/vercel-user-tokens/vercel-user-tokens/client/go/vercel/authentication/v1"
)

const deadline = 10 * time.Second

// describe prints what a failed call carries: its status and the google.rpc
// details from the `grpc-status-details-bin` trailer.
func describe(err error, w io.Writer) {
	st := status.Convert(err)
	// google.rpc.Code names the codes as every other language does
	// (NOT_FOUND); Go's own codes.Code prints NotFound.
	fmt.Fprintf(w, "  code: %s (%d)\n", code.Code(st.Code()), st.Code())
	fmt.Fprintf(w, "  message: %s\n", st.Message())
	var retry *errdetails.RetryInfo
	var violations []*errdetails.BadRequest_FieldViolation
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			fmt.Fprintf(w, "  error_info: reason=%s domain=%s\n", d.GetReason(), d.GetDomain())
			keys := make([]string, 0, len(d.GetMetadata()))
			for key := range d.GetMetadata() {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			for _, key := range keys {
				fmt.Fprintf(w, "  error_info.metadata: %s=%s\n", key, d.GetMetadata()[key])
			}
		case *errdetails.RetryInfo:
			retry = d
		case *errdetails.BadRequest:
			violations = append(violations, d.GetFieldViolations()...)
		}
	}
	if retry == nil {
		fmt.Fprintln(w, "  retry_info: none")
	} else {
		fmt.Fprintf(w, "  retry_info: retry after %gs\n", retry.GetRetryDelay().AsDuration().Seconds())
	}
	for _, v := range violations {
		fmt.Fprintf(w, "  bad_request: %s: %s\n", v.GetField(), v.GetDescription())
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
	// Plaintext, as inside a cluster; behind TLS use
	// grpc.WithTransportCredentials(credentials.NewTLS(nil)) instead.
	conn, err := grpc.Dial(os.Getenv("VUT_ADDRESS"), grpc.WithInsecure())
	if err != nil {
		fmt.Fprintf(os.Stderr, "dial: %v\n", err)
		return 1
	}
	defer conn.Close()
	client := authenticationv1.NewUserTokensServiceClient(conn)
	teamID := os.Getenv("VERCEL_TEAM_ID")

	// Every call carries the caller's Vercel token as
	// `authorization: Bearer <token>`, and a deadline.
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+os.Getenv("VERCEL_TOKEN"))

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
	names := ""
	for i, token := range listed.GetTokens() {
		if i > 0 {
			names += ", "
		}
		names += token.GetName()
	}
	fmt.Printf("listed %d token(s): %s\n", len(listed.GetTokens()), names)

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
	fmt.Printf("got token %s named %s\n", got.GetToken().GetId(), got.GetToken().GetName())

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
