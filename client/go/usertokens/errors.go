package usertokens

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// FieldViolation is one bad request field: its path (e.g. "token_id") and
// what is wrong with it.
type FieldViolation struct {
	Field       string
	Description string
}

// ServiceError is a failed call with the details the server sent. Every
// error a Client method returns is one of the family types below (each
// wraps a *ServiceError, so errors.As finds either), or a *ServiceError for
// codes without a family (client/SPEC.md, section 1).
type ServiceError struct {
	// Code is the gRPC status code; Message the status message (it never
	// holds a secret).
	Code    codes.Code
	Message string
	// Reason, Domain and Metadata are the ErrorInfo (empty when none came):
	// e.g. "NOT_FOUND", "api.vercel.com",
	// {"http_status": "404", "vercel_code": "not_found"}.
	Reason   string
	Domain   string
	Metadata map[string]string
	// RetryDelay is RetryInfo's delay; HasRetryDelay says whether one came.
	RetryDelay    time.Duration
	HasRetryDelay bool
	// FieldViolations are BadRequest's field violations.
	FieldViolations []FieldViolation
	// VercelRequestID is Vercel's request id (the x-vercel-id metadata, else
	// ErrorInfo metadata "vercel_request_id"), what Vercel support asks for;
	// "" when the call did not reach Vercel.
	VercelRequestID string
	// RateLimit is Vercel's rate limit as the call's metadata relayed it.
	RateLimit RateLimit

	status *status.Status
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// GRPCStatus returns the status the error came from, for status.FromError.
func (e *ServiceError) GRPCStatus() *status.Status { return e.status }

// HTTPStatus is Vercel's HTTP status for errors that came from Vercel, or 0.
func (e *ServiceError) HTTPStatus() int {
	n, err := strconv.Atoi(e.Metadata["http_status"])
	if err != nil {
		return 0
	}
	return n
}

// InvalidArgumentError: the request was invalid; FieldViolations names the
// fields.
type InvalidArgumentError struct{ *ServiceError }

// FailedPreconditionError: the request cannot be served in the current state.
type FailedPreconditionError struct{ *ServiceError }

// UnauthenticatedError: no, a malformed, or an invalid Vercel token.
type UnauthenticatedError struct{ *ServiceError }

// PermissionDeniedError: the token may not do this.
type PermissionDeniedError struct{ *ServiceError }

// NotFoundError: the token (or another resource) does not exist.
type NotFoundError struct{ *ServiceError }

// AlreadyExistsError: the resource exists already.
type AlreadyExistsError struct{ *ServiceError }

// RateLimitedError: Vercel's rate limit (RESOURCE_EXHAUSTED); wait
// RetryDelay.
type RateLimitedError struct{ *ServiceError }

// UnavailableError: the service or Vercel could not be reached.
type UnavailableError struct{ *ServiceError }

// DeadlineExceededError: the call's deadline passed.
type DeadlineExceededError struct{ *ServiceError }

// InternalError: the service or Vercel failed.
type InternalError struct{ *ServiceError }

// CancelledError: the call was cancelled (its ctx, or the server).
type CancelledError struct{ *ServiceError }

// UnimplementedError: the operation is not implemented.
type UnimplementedError struct{ *ServiceError }

// UnknownError: Vercel answered with a status the service cannot place
// (reason UPSTREAM_UNEXPECTED_STATUS).
type UnknownError struct{ *ServiceError }

func (e *InvalidArgumentError) Unwrap() error    { return e.ServiceError }
func (e *FailedPreconditionError) Unwrap() error { return e.ServiceError }
func (e *UnauthenticatedError) Unwrap() error    { return e.ServiceError }
func (e *PermissionDeniedError) Unwrap() error   { return e.ServiceError }
func (e *NotFoundError) Unwrap() error           { return e.ServiceError }
func (e *AlreadyExistsError) Unwrap() error      { return e.ServiceError }
func (e *RateLimitedError) Unwrap() error        { return e.ServiceError }
func (e *UnavailableError) Unwrap() error        { return e.ServiceError }
func (e *DeadlineExceededError) Unwrap() error   { return e.ServiceError }
func (e *InternalError) Unwrap() error           { return e.ServiceError }
func (e *CancelledError) Unwrap() error          { return e.ServiceError }
func (e *UnimplementedError) Unwrap() error      { return e.ServiceError }
func (e *UnknownError) Unwrap() error            { return e.ServiceError }

// FromError decodes a gRPC error (and the metadata the call got back) into
// its family type. Errors that carry no gRPC status are returned unchanged.
func FromError(err error, md ...metadata.MD) error {
	var already *ServiceError
	if err == nil || errors.As(err, &already) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	var returned ResponseMetadata
	returned.fill(md...)
	e := &ServiceError{Code: st.Code(), Message: st.Message(), status: st,
		Metadata: map[string]string{}, VercelRequestID: returned.VercelRequestID,
		RateLimit: returned.RateLimit}
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			e.Reason, e.Domain = d.GetReason(), d.GetDomain()
			for k, v := range d.GetMetadata() {
				e.Metadata[k] = v
			}
		case *errdetails.RetryInfo:
			e.RetryDelay, e.HasRetryDelay = d.GetRetryDelay().AsDuration(), true
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				e.FieldViolations = append(e.FieldViolations,
					FieldViolation{Field: v.GetField(), Description: v.GetDescription()})
			}
		}
	}
	if e.VercelRequestID == "" {
		e.VercelRequestID = e.Metadata["vercel_request_id"]
	}
	return Family(e)
}

// Family wraps e in the family type of its code (client/SPEC.md, section
// 1), or returns e itself for codes without a family.
func Family(e *ServiceError) error {
	switch e.Code {
	case codes.InvalidArgument:
		return &InvalidArgumentError{e}
	case codes.FailedPrecondition:
		return &FailedPreconditionError{e}
	case codes.Unauthenticated:
		return &UnauthenticatedError{e}
	case codes.PermissionDenied:
		return &PermissionDeniedError{e}
	case codes.NotFound:
		return &NotFoundError{e}
	case codes.AlreadyExists:
		return &AlreadyExistsError{e}
	case codes.ResourceExhausted:
		return &RateLimitedError{e}
	case codes.Unavailable:
		return &UnavailableError{e}
	case codes.DeadlineExceeded:
		return &DeadlineExceededError{e}
	case codes.Internal:
		return &InternalError{e}
	case codes.Canceled:
		return &CancelledError{e}
	case codes.Unimplemented:
		return &UnimplementedError{e}
	case codes.Unknown:
		return &UnknownError{e}
	}
	return e
}
