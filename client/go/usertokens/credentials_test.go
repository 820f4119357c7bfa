package usertokens

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTokenFileRereadsAChangeStatCannotSeeAfterAMinute(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("aaaaaa\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1000, 0)
	file := NewTokenFile(path)
	file.now = func() time.Time { return now }
	read := func() string {
		t.Helper()
		value, err := file.Read()
		if err != nil {
			t.Fatal(err)
		}
		return value
	}
	if got := read(); got != "aaaaaa" {
		t.Fatalf("first read: %q", got)
	}
	// Rewritten in place, same size and modification time.
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("bbbbbb\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	now = now.Add(59 * time.Second)
	if got := read(); got != "aaaaaa" {
		t.Fatalf("within the minute: %q", got)
	}
	now = now.Add(time.Second)
	if got := read(); got != "bbbbbb" {
		t.Fatalf("after the minute: %q", got)
	}
}

func TestTokenFileKeepsTheLastGoodValueAndNamesAMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	_, err := NewTokenFile(path).Read()
	var unauthenticated *UnauthenticatedError
	if !errors.As(err, &unauthenticated) || unauthenticated.Reason != "CREDENTIALS_UNAVAILABLE" {
		t.Fatalf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := NewTokenFile(path)
	if _, err := file.Read(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if value, err := file.Read(); err != nil || value != "secret-value" {
		t.Fatalf("after removal: %q, %v", value, err)
	}
}

func TestNewUUIDIsVersion4(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id, err := newUUID()
		if err != nil {
			t.Fatal(err)
		}
		if len(id) != 36 || id[14] != '4' || !strings.ContainsRune("89ab", rune(id[19])) ||
			id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
			t.Fatalf("not a UUID v4: %s", id)
		}
		if seen[id] {
			t.Fatalf("repeated: %s", id)
		}
		seen[id] = true
	}
}
