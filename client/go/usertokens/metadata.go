package usertokens

import (
	"strconv"

	"google.golang.org/grpc/metadata"
)

// RateLimit is Vercel's rate limit as the service relays it; a nil field
// was not sent.
type RateLimit struct {
	// Limit is x-ratelimit-limit, the requests allowed per window.
	Limit *int64
	// Remaining is x-ratelimit-remaining, the requests left in this window.
	Remaining *int64
	// Reset is x-ratelimit-reset, when the window ends (Unix seconds).
	Reset *int64
}

// ResponseMetadata is what a call's response metadata says (client/SPEC.md,
// section 4). Pass WithResponseMetadata(&md) to a call to have it filled
// in, on success and on failure.
type ResponseMetadata struct {
	// VercelRequestID is Vercel's request id (x-vercel-id); "" when the call
	// did not reach Vercel.
	VercelRequestID string
	// RateLimit is Vercel's rate limit after the call.
	RateLimit RateLimit
}

// fill sets md from a call's headers and trailers, the first holding a
// key winning.
func (md *ResponseMetadata) fill(sources ...metadata.MD) {
	first := func(key string) (string, bool) {
		for _, m := range sources {
			if values := m.Get(key); len(values) > 0 {
				return values[0], true
			}
		}
		return "", false
	}
	number := func(key string) *int64 {
		text, ok := first(key)
		if !ok {
			return nil
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil
		}
		return &n
	}
	md.VercelRequestID, _ = first("x-vercel-id")
	md.RateLimit = RateLimit{Limit: number("x-ratelimit-limit"),
		Remaining: number("x-ratelimit-remaining"), Reset: number("x-ratelimit-reset")}
}
