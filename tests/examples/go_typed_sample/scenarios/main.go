// Command scenarios is client/go's side of the scenario list
// (client/SPEC.md, section 9): `scenarios NAME` runs scenario NAME against
// the server at VUT_ADDRESS and prints one JSON line per case;
// tests/examples/sdk_scenario_checks.py sets the fake up and asserts the
// lines. go_example_test.py builds it in the user module of go_typed_sample.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/vercel-user-tokens/vercel-user-tokens/client/go/usertokens"
	authenticationv1 "github.com/vercel-user-tokens/vercel-user-tokens/client/go/vercel/authentication/v1"
)

var (
	address = os.Getenv("VUT_ADDRESS")
	token   = os.Getenv("VERCEL_TOKEN")
	ctx     = context.Background()
)

func emit(name string, fields map[string]any) {
	fields["case"] = name
	line, err := json.Marshal(fields)
	check(err)
	fmt.Println(string(line))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func must[T any](value T, err error) T {
	check(err)
	return value
}

// familyName is the name of err's family type, e.g. "NotFoundError".
func familyName(err error) string {
	return reflect.TypeOf(err).Elem().Name()
}

// expectError prints the error line of err (client/SPEC.md's fields).
func expectError(name string, started time.Time, err error) {
	var e *usertokens.ServiceError
	if !errors.As(err, &e) {
		check(fmt.Errorf("%s: not a ServiceError: %v", name, err))
	}
	var httpStatus, delay any
	if n := e.HTTPStatus(); n != 0 {
		httpStatus = n
	}
	if e.HasRetryDelay {
		delay = e.RetryDelay.Milliseconds()
	}
	fields := []string{}
	for _, v := range e.FieldViolations {
		fields = append(fields, v.Field)
	}
	emit(name, map[string]any{
		"family": familyName(err), "code": codeName(e.Code),
		"reason": e.Reason, "domain": e.Domain, "http_status": httpStatus,
		"retry_delay_ms": delay, "field_violations": fields,
		"vercel_request_id": e.VercelRequestID, "rate_limit_remaining": e.RateLimit.Remaining,
		"elapsed_ms": time.Since(started).Milliseconds(),
	})
}

// codeName spells a code as google.rpc.Code does (NOT_FOUND).
func codeName(c codes.Code) string {
	names := map[codes.Code]string{codes.Canceled: "CANCELLED", codes.NotFound: "NOT_FOUND",
		codes.InvalidArgument: "INVALID_ARGUMENT", codes.DeadlineExceeded: "DEADLINE_EXCEEDED",
		codes.AlreadyExists: "ALREADY_EXISTS", codes.PermissionDenied: "PERMISSION_DENIED",
		codes.ResourceExhausted: "RESOURCE_EXHAUSTED", codes.FailedPrecondition: "FAILED_PRECONDITION",
		codes.Unimplemented: "UNIMPLEMENTED", codes.Internal: "INTERNAL",
		codes.Unavailable: "UNAVAILABLE", codes.Unauthenticated: "UNAUTHENTICATED",
		codes.Unknown: "UNKNOWN"}
	return names[c]
}

func client(opts ...usertokens.Option) *usertokens.Client {
	return must(usertokens.New(address, append([]usertokens.Option{usertokens.WithPlaintext()}, opts...)...))
}

func get(id string) *authenticationv1.GetAuthTokenRequest {
	return &authenticationv1.GetAuthTokenRequest{TokenId: id}
}

func getError(c *usertokens.Client, name, id string) {
	started := time.Now()
	_, err := c.GetAuthToken(ctx, get(id))
	expectError(name, started, err)
}

func errorsScenario() {
	c := client(usertokens.WithToken(token), usertokens.WithDeadline(5*time.Second))
	defer c.Close()
	anonymous := client(usertokens.WithDeadline(5 * time.Second))
	defer anonymous.Close()
	getError(c, "not_found", strings.Repeat("0", 64))
	getError(c, "invalid_argument", "../x")
	getError(anonymous, "unauthenticated", "current")
	for _, pair := range [][2]string{{"permission_denied", "forbidden"}, {"rate_limited", "limited"},
		{"unavailable", "unavailable"}, {"internal", "internal"}, {"unimplemented", "unimplemented"},
		{"deadline_exceeded", "timeout"}, {"failed_precondition", "teapot"},
		{"already_exists", "conflict"}} {
		getError(c, pair[0], pair[1])
	}
	families := map[string]string{}
	for code := codes.Canceled; code <= codes.Unauthenticated; code++ {
		err := usertokens.FromError(status.Error(code, "x"))
		name := familyName(err)
		families[fmt.Sprint(int(code))] = name
	}
	emit("families", map[string]any{"families": families})
}

func tlsDefault() {
	byDefault := must(usertokens.New(address, usertokens.WithToken(token),
		usertokens.WithDeadline(5*time.Second)))
	defer byDefault.Close()
	started := time.Now()
	_, err := byDefault.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
	expectError("tls_default", started, err)
	c := client(usertokens.WithToken(token))
	defer c.Close()
	listed := must(c.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{}))
	emit("plaintext", map[string]any{"tokens": len(listed.GetTokens())})
	emit("default_deadline", map[string]any{"seconds": usertokens.DefaultDeadline.Seconds()})
}

func retries() {
	off := client(usertokens.WithToken(token), usertokens.WithDeadline(5*time.Second))
	defer off.Close()
	started := time.Now()
	_, err := off.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{})
	expectError("retries_off", started, err)
	on := client(usertokens.WithToken(token), usertokens.WithDeadline(5*time.Second),
		usertokens.WithRetry(usertokens.RetryPolicy{}))
	defer on.Close()
	started = time.Now()
	listed := must(on.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{}))
	emit("retries_on", map[string]any{"tokens": len(listed.GetTokens()),
		"elapsed_ms": time.Since(started).Milliseconds()})
	getError(on, "retry_beyond_deadline", "limited")
}

// fakeWait returns once the fake's wait endpoint (wait_held, wait_aborted)
// counts one.
func fakeWait(what string) {
	response := must(http.Get(os.Getenv("VUT_FAKE_URL") + "/_fake/" + what + "?count=1"))
	response.Body.Close()
	if response.StatusCode != http.StatusOK {
		check(fmt.Errorf("%s: %s", what, response.Status))
	}
}

func perCall() {
	anonymous := client()
	defer anonymous.Close()
	listed := must(anonymous.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{},
		usertokens.WithMetadata("authorization", "Bearer "+token)))
	emit("per_call_metadata", map[string]any{"tokens": len(listed.GetTokens())})

	c := client(usertokens.WithToken(token))
	defer c.Close()
	started := time.Now()
	short, cancelShort := context.WithTimeout(ctx, time.Second)
	defer cancelShort()
	_, err := c.GetAuthToken(short, get("held"))
	expectError("per_call_deadline", started, err)

	// Cancelled by its ctx once the fake holds the request.
	cancellable, cancel := context.WithCancel(ctx)
	go func() {
		fakeWait("wait_aborted")
		fakeWait("wait_held")
		cancel()
	}()
	started = time.Now()
	_, err = c.GetAuthToken(cancellable, get("held"))
	expectError("cancelled", started, err)
}

func successMetadata() {
	c := client(usertokens.WithToken(token))
	defer c.Close()
	var md usertokens.ResponseMetadata
	must(c.ListAuthTokens(ctx, &authenticationv1.ListAuthTokensRequest{}, usertokens.WithResponseMetadata(&md)))
	emit("success_metadata", map[string]any{"vercel_request_id": md.VercelRequestID,
		"rate_limit_remaining": md.RateLimit.Remaining, "rate_limit_reset": md.RateLimit.Reset})
}

func pager() {
	c := client(usertokens.WithToken(token))
	defer c.Close()
	pages := [][]string{}
	for page, err := range c.ListAuthTokensRawPages(ctx, &authenticationv1.ListAuthTokensRawRequest{Limit: 2}) {
		check(err)
		names := []string{}
		for _, t := range page.GetTokens() {
			names = append(names, t.GetName())
		}
		pages = append(pages, names)
	}
	emit("pager", map[string]any{"pages": pages})
}

func requestID() {
	c := client(usertokens.WithToken(token), usertokens.WithRetry(usertokens.RetryPolicy{}))
	defer c.Close()
	request := &authenticationv1.CreateAuthTokenRequest{Name: "request-id-auto"}
	created := must(c.CreateAuthToken(ctx, request))
	must(c.CreateAuthToken(ctx, &authenticationv1.CreateAuthTokenRequest{
		Name: "request-id-own", RequestId: os.Getenv("OWN_REQUEST_ID")}))
	emit("request_id", map[string]any{"token_id": created.GetToken().GetId(),
		"request_id_after": request.GetRequestId()})
}

// replaceFile replaces path the way the kubelet and secret managers do: a
// new file renamed over the old one.
func replaceFile(path, text string) {
	check(os.WriteFile(path+".new", []byte(text), 0o600))
	check(os.Rename(path+".new", path))
}

func currentID(c *usertokens.Client) string {
	return must(c.GetAuthToken(ctx, get("current"))).GetToken().GetId()
}

func credentialProvider() {
	current := token
	byProvider := client(usertokens.WithTokenProvider(func(context.Context) (string, error) {
		return current, nil
	}))
	defer byProvider.Close()
	file := os.Getenv("TOKEN_FILE")
	byFile := client(usertokens.WithTokenProvider(usertokens.TokenFileProvider(file)))
	defer byFile.Close()
	seedID := currentID(byProvider)
	created := must(byProvider.CreateAuthToken(ctx, &authenticationv1.CreateAuthTokenRequest{Name: "provider"}))
	fileIDs := []string{currentID(byFile)}
	replaceFile(file, created.GetBearerToken()+"\n")
	fileIDs = append(fileIDs, currentID(byFile))
	current = created.GetBearerToken()
	emit("credential_provider", map[string]any{"seed_id": seedID,
		"created_id": created.GetToken().GetId(),
		"provider_ids": []string{seedID, currentID(byProvider)}, "file_ids": fileIDs})
	unreadable := client(usertokens.WithTokenProvider(
		usertokens.TokenFileProvider(filepath.Join(filepath.Dir(file), "missing"))))
	defer unreadable.Close()
	getError(unreadable, "credentials_unavailable", "unsent")
}

// echo answers GetAuthToken with the x-workload-token it received as the
// token's name.
type echo struct {
	authenticationv1.UnimplementedUserTokensServiceServer
}

func (echo) GetAuthToken(ctx context.Context, req *authenticationv1.GetAuthTokenRequest) (*authenticationv1.GetAuthTokenResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	name := ""
	if values := md.Get("x-workload-token"); len(values) > 0 {
		name = values[0]
	}
	return &authenticationv1.GetAuthTokenResponse{Token: &authenticationv1.AuthToken{Id: req.GetTokenId(), Name: name}}, nil
}

func workloadToken() {
	path := filepath.Join(os.Getenv("WORK_DIR"), "workload-token")
	check(os.WriteFile(path, []byte("workload-one\n"), 0o600))
	listener := must(net.Listen("tcp", "127.0.0.1:0"))
	server := grpc.NewServer()
	authenticationv1.RegisterUserTokensServiceServer(server, echo{})
	go server.Serve(listener)
	defer server.Stop()
	c := must(usertokens.New(listener.Addr().String(), usertokens.WithPlaintext(),
		usertokens.WithWorkloadTokenFile(path)))
	defer c.Close()
	name := func() string { return must(c.GetAuthToken(ctx, get("current"))).GetToken().GetName() }
	seen := []string{name(), name()}
	replaceFile(path, "workload-two\n")
	seen = append(seen, name())
	emit("workload_token", map[string]any{"seen": seen})
}

func main() {
	scenarios := map[string]func(){
		"errors": errorsScenario, "tls_default": tlsDefault, "retries": retries,
		"per_call": perCall, "success_metadata": successMetadata, "pager": pager,
		"request_id": requestID, "credential_provider": credentialProvider,
		"workload_token": workloadToken,
	}
	run, ok := scenarios[os.Args[len(os.Args)-1]]
	if !ok {
		check(fmt.Errorf("no scenario %q", os.Args[len(os.Args)-1]))
	}
	run()
}
