package usertokens

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TokenProvider returns the caller's current Vercel token ("" for none).
// The client calls it before every attempt (client/SPEC.md, section 6).
type TokenProvider func(ctx context.Context) (string, error)

// RereadInterval is how often a token file is read again, changed or not.
const RereadInterval = time.Minute

// ClientDomain is the ErrorInfo domain of errors the client makes itself,
// before anything is sent.
const ClientDomain = "vercel-user-tokens-client"

// credentialsUnavailable is the error of a call whose credentials could not
// be had: an *UnauthenticatedError, reason CREDENTIALS_UNAVAILABLE.
func credentialsUnavailable(message string) error {
	return Family(&ServiceError{Code: codes.Unauthenticated, Message: message,
		Reason: "CREDENTIALS_UNAVAILABLE", Domain: ClientDomain,
		Metadata: map[string]string{}, status: status.New(codes.Unauthenticated, message)})
}

type fileIdentity struct {
	ino, size, mtime int64
}

// TokenFile is a token kept in a file that something else rewrites: a
// projected ServiceAccount token the kubelet rotates, or a Vercel token a
// secret manager renews. Read returns the file's contents, surrounding
// whitespace trimmed, reading the file again when it changed (another
// inode, size or modification time, following symlinks, as the kubelet
// swaps ..data) and at least every RereadInterval. When a read fails or
// finds the file empty, the last good value is kept; without one, Read
// returns an *UnauthenticatedError (reason CREDENTIALS_UNAVAILABLE) that
// names the file but never its contents. Safe for concurrent use.
type TokenFile struct {
	path string
	now  func() time.Time

	mu       sync.Mutex
	value    string
	identity fileIdentity
	readAt   time.Time
}

// NewTokenFile returns the TokenFile of path; nothing is read yet.
func NewTokenFile(path string) *TokenFile { return &TokenFile{path: path, now: time.Now} }

// Read returns the token (see TokenFile).
func (f *TokenFile) Read() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	info, statErr := os.Stat(f.path)
	if statErr == nil {
		id := fileIdentity{size: info.Size(), mtime: info.ModTime().UnixNano()}
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			id.ino = int64(st.Ino)
		}
		if id != f.identity || f.now().Sub(f.readAt) >= RereadInterval || f.value == "" {
			if data, err := os.ReadFile(f.path); err == nil {
				if value := strings.TrimSpace(string(data)); value != "" {
					f.value, f.identity, f.readAt = value, id, f.now()
				}
			}
		}
	}
	if f.value == "" {
		return "", credentialsUnavailable(fmt.Sprintf("cannot read a token from %s", f.path))
	}
	return f.value, nil
}

// TokenFileProvider is a TokenProvider reading the caller's Vercel token
// from path (see TokenFile for when it is read again).
func TokenFileProvider(path string) TokenProvider {
	file := NewTokenFile(path)
	return func(context.Context) (string, error) { return file.Read() }
}
